/// A linear model fitted by ridge regression in closed form: the weights solve the normal equations
/// (XᵀX + λ·n·I) w = Xᵀy on centred features and target, so the intercept is not shrunk. The small
/// penalty keeps the solve stable when features are nearly collinear (C-MAPSS sensors 9 and 14, 8 and 13).
public struct RidgeRegression: Sendable, Equatable, Codable {
    public var weights: [Double]
    public var intercept: Double

    public init(weights: [Double], intercept: Double) {
        self.weights = weights
        self.intercept = intercept
    }

    /// Fitted on `rows` (at least one, all of one width) and their `targets`; `lambda` is the penalty
    /// per row, so it does not depend on how many rows there are.
    public init(rows: [[Double]], targets: [Double], lambda: Double = 1e-3) {
        precondition(!rows.isEmpty && rows.count == targets.count)
        let width = rows[0].count
        let count = Double(rows.count)
        var means = [Double](repeating: 0, count: width)
        for row in rows { for j in 0..<width { means[j] += row[j] / count } }
        let targetMean = targets.reduce(0, +) / count
        var gram = [Double](repeating: 0, count: width * width)
        var moment = [Double](repeating: 0, count: width)
        var centred = [Double](repeating: 0, count: width)
        for (row, target) in zip(rows, targets) {
            for j in 0..<width { centred[j] = row[j] - means[j] }
            let y = target - targetMean
            for j in 0..<width {
                moment[j] += centred[j] * y
                for k in j..<width { gram[j * width + k] += centred[j] * centred[k] }
            }
        }
        for j in 0..<width {
            gram[j * width + j] += lambda * count
            for k in 0..<j { gram[j * width + k] = gram[k * width + j] }
        }
        weights = Cholesky.solve(Cholesky.factor(gram, size: width), moment, size: width)
        intercept = targetMean - zip(weights, means).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The model's value for one row.
    public func predict(_ row: [Double]) -> Double {
        zip(weights, row).reduce(intercept) { $0 + $1.0 * $1.1 }
    }
}
