/// scikit-learn's StandardScaler: each feature centred on its mean and divided by its population
/// standard deviation (a constant feature by 1).
public struct StandardScaler: Sendable, Equatable {
    public let means: [Double]
    public let scales: [Double]

    /// Fitted on `rows` (row-major, `featureCount` values per row, at least one row).
    public init(rows: [Double], featureCount: Int) {
        let count = Double(rows.count / featureCount)
        var means = [Double](repeating: 0, count: featureCount)
        for (index, value) in rows.enumerated() { means[index % featureCount] += value }
        means = means.map { $0 / count }
        var squares = [Double](repeating: 0, count: featureCount)
        for (index, value) in rows.enumerated() {
            let deviation = value - means[index % featureCount]
            squares[index % featureCount] += deviation * deviation
        }
        self.means = means
        self.scales = squares.map {
            let deviation = ($0 / count).squareRoot()
            return deviation > 0 ? deviation : 1
        }
    }

    public init(means: [Double], scales: [Double]) {
        self.means = means
        self.scales = scales
    }

    /// Scales a row-major matrix (or one row).
    public func transform(_ rows: [Double]) -> [Double] {
        rows.enumerated().map { index, value in
            let feature = index % means.count
            return (value - means[feature]) / scales[feature]
        }
    }
}
