/// Cholesky factorisation of a symmetric positive definite matrix (row-major, A = L Lᵀ) and solving
/// A x = b with it: the baseline's Mahalanobis distance and the ridge regression's normal equations.
enum Cholesky {
    /// L, row-major. A diagonal that is not positive is floored, so a singular matrix still factors
    /// (callers regularise first; the floor only guards what regularising cannot).
    static func factor(_ matrix: [Double], size: Int) -> [Double] {
        var factor = [Double](repeating: 0, count: size * size)
        for i in 0..<size {
            for j in 0...i {
                var sum = matrix[i * size + j]
                for k in 0..<j { sum -= factor[i * size + k] * factor[j * size + k] }
                factor[i * size + j] = i == j ? max(sum, 1e-12).squareRoot() : sum / factor[j * size + j]
            }
        }
        return factor
    }

    /// x with L Lᵀ x = b, for `factor` = L: L y = b forwards, then Lᵀ x = y backwards.
    static func solve(_ factor: [Double], _ b: [Double], size: Int) -> [Double] {
        var y = b
        for i in 0..<size {
            for k in 0..<i { y[i] -= factor[i * size + k] * y[k] }
            y[i] /= factor[i * size + i]
        }
        var x = y
        for i in (0..<size).reversed() {
            for k in (i + 1)..<size { x[i] -= factor[k * size + i] * x[k] }
            x[i] /= factor[i * size + i]
        }
        return x
    }
}
