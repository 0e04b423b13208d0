import Foundation

/// A health indicator learnt from runs to failure: one number per reading, near 1 while the machine is
/// healthy and falling to 0 at failure.
///
/// It keeps the sensors that trend with wear (|Pearson correlation| with the capped remaining life of at
/// least `minimumCorrelation`: on C-MAPSS FD001 this drops the flat sensors 1, 5, 6, 10, 16, 18 and 19),
/// standardises them with the training means and deviations, and maps them linearly onto the capped
/// remaining life divided by the cap (a ridge regression), so the sensors' noise partly cancels out. The
/// curve of a run is that value smoothed exponentially, since a single cycle is too noisy to read.
public struct HealthIndicator: Sendable, Equatable, Codable {
    /// The columns of a reading that the indicator uses.
    public var columns: [Int]
    public var means: [Double]
    public var scales: [Double]
    /// From the standardised columns to the indicator.
    public var map: RidgeRegression
    /// The weight of the newest reading in the exponential smoothing of a curve.
    public var smoothing: Double

    /// Learnt from `runs`, each a run to failure (one reading per cycle, the last the failure).
    public init(runs: [[[Double]]], cap: Double, minimumCorrelation: Double = 0.3, smoothing: Double = 0.1) {
        let rows = runs.flatMap { $0 }
        let targets = runs.flatMap { run in run.indices.map { min(Double(run.count - 1 - $0), cap) / cap } }
        precondition(!rows.isEmpty, "a health indicator needs readings to learn from")
        let width = rows[0].count
        let statistics = (0..<width).map { column in Self.statistics(rows.map { $0[column] }, targets) }
        var columns = (0..<width).filter { statistics[$0].deviation > 0 && abs(statistics[$0].correlation) >= minimumCorrelation }
        if columns.isEmpty { columns = (0..<width).filter { statistics[$0].deviation > 0 } }
        let means = columns.map { statistics[$0].mean }
        let scales = columns.map { statistics[$0].deviation }
        let standardised = rows.map { row in columns.indices.map { (row[columns[$0]] - means[$0]) / scales[$0] } }
        self.columns = columns
        self.means = means
        self.scales = scales
        self.smoothing = smoothing
        map = RidgeRegression(rows: standardised, targets: targets)
    }

    /// The selected columns of `reading`, standardised.
    public func standardised(_ reading: [Double]) -> [Double] {
        columns.indices.map { (reading[columns[$0]] - means[$0]) / scales[$0] }
    }

    /// The indicator of each reading on its own.
    public func values(_ readings: [[Double]]) -> [Double] {
        readings.map { map.predict(standardised($0)) }
    }

    /// The smoothed indicator of a run, reading by reading (each value uses only the readings before it).
    public func curve(_ readings: [[Double]]) -> [Double] {
        Self.smoothed(values(readings), smoothing)
    }

    /// Exponential smoothing: s₀ = x₀, sₜ = α·xₜ + (1 − α)·sₜ₋₁.
    public static func smoothed(_ values: [Double], _ alpha: Double) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(values.count)
        for value in values { result.append(result.last.map { alpha * value + (1 - alpha) * $0 } ?? value) }
        return result
    }

    private static func statistics(_ values: [Double], _ targets: [Double]) -> (mean: Double, deviation: Double, correlation: Double) {
        let count = Double(values.count)
        let mean = values.reduce(0, +) / count
        let targetMean = targets.reduce(0, +) / count
        var (xx, yy, xy) = (0.0, 0.0, 0.0)
        for (x, y) in zip(values, targets) {
            xx += (x - mean) * (x - mean)
            yy += (y - targetMean) * (y - targetMean)
            xy += (x - mean) * (y - targetMean)
        }
        // A sensor that moves by less than a millionth of its level is a constant printed with noise digits.
        let deviation = (xx / count).squareRoot()
        guard deviation > 1e-9 * max(1, abs(mean)), yy > 0 else { return (mean, 0, 0) }
        return (mean, deviation, xy / (xx * yy).squareRoot())
    }
}
