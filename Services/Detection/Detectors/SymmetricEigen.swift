/// Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations: plenty for the
/// few sensors of one machine, exact to rounding, and with no dependency.
enum SymmetricEigen {
    /// The eigenvalues of the row-major `size` × `size` symmetric `matrix`, largest first, and their unit
    /// eigenvectors (`vectors[k]` belongs to `values[k]`).
    static func decompose(_ matrix: [Double], size: Int) -> (values: [Double], vectors: [[Double]]) {
        var a = matrix
        // Columns of `v` are the eigenvectors found so far.
        var v = [Double](repeating: 0, count: size * size)
        for i in 0..<size { v[i * size + i] = 1 }
        for _ in 0..<50 {
            var offDiagonal = 0.0
            for i in 0..<size { for j in 0..<size where i != j { offDiagonal += a[i * size + j] * a[i * size + j] } }
            if offDiagonal < 1e-22 { break }
            for p in 0..<size {
                for q in (p + 1)..<size where abs(a[p * size + q]) > 1e-300 {
                    let theta = (a[q * size + q] - a[p * size + p]) / (2 * a[p * size + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<size {
                        let kp = a[k * size + p]
                        let kq = a[k * size + q]
                        a[k * size + p] = c * kp - s * kq
                        a[k * size + q] = s * kp + c * kq
                    }
                    for k in 0..<size {
                        let pk = a[p * size + k]
                        let qk = a[q * size + k]
                        a[p * size + k] = c * pk - s * qk
                        a[q * size + k] = s * pk + c * qk
                    }
                    for k in 0..<size {
                        let kp = v[k * size + p]
                        let kq = v[k * size + q]
                        v[k * size + p] = c * kp - s * kq
                        v[k * size + q] = s * kp + c * kq
                    }
                }
            }
        }
        let order = (0..<size).sorted { a[$0 * size + $0] > a[$1 * size + $1] }
        return (order.map { a[$0 * size + $0] }, order.map { k in (0..<size).map { v[$0 * size + k] } })
    }
}
