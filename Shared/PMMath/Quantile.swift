/// Quantiles as NumPy's `percentile` computes them by default (linear interpolation between the two
/// nearest ranks).
public enum Quantile {
    /// The `q`-th quantile (0...1) of `values` (not empty), which need not be sorted.
    public static func of(_ values: [Double], _ q: Double) -> Double {
        sorted(values.sorted(), q)
    }

    /// The `q`-th quantile of values already sorted ascending.
    public static func sorted(_ values: [Double], _ q: Double) -> Double {
        precondition(!values.isEmpty && (0...1).contains(q))
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }
}
