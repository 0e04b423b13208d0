import PMMath

/// Remaining life by ridge regression on features of a trailing window.
///
/// Per cycle, from the health indicator's standardised sensors: each sensor smoothed exponentially, its
/// square (wear accelerates near the end, a line alone cannot follow it), its least-squares slope over the
/// last `slopeWindow` cycles, and the machine's age. A ridge regression maps these onto the capped
/// remaining life. The band is the 10th to 90th percentile of the training residuals around the estimate.
public struct WindowRidgeRemainingLife: RemainingLifeModel {
    public var indicator: HealthIndicator
    public var regression: RidgeRegression
    public var cap: Double
    public var smoothing = 0.2
    public var slopeWindow = 20
    /// The 10th and 90th percentiles of (truth − fitted) on the training runs.
    public var residualBand: (lower: Double, upper: Double)

    /// Learnt from `runs`, each a run to failure (one reading per cycle, the last the failure).
    public init(runs: [[[Double]]], cap: Double) {
        indicator = HealthIndicator(runs: runs, cap: cap)
        self.cap = cap
        regression = RidgeRegression(weights: [], intercept: 0)
        residualBand = (0, 0)
        let rows = runs.flatMap(features)
        let targets = runs.flatMap { run in run.indices.map { min(Double(run.count - 1 - $0), cap) } }
        regression = RidgeRegression(rows: rows, targets: targets)
        let residuals = zip(rows, targets).map { $1 - regression.predict($0) }.sorted()
        residualBand = (Quantile.sorted(residuals, 0.1), Quantile.sorted(residuals, 0.9))
    }

    public func estimate(_ history: [[Double]]) -> RemainingLifeEstimate? {
        guard let row = features(history).last else { return nil }
        let life = min(max(regression.predict(row), 0), cap)
        return RemainingLifeEstimate(cycles: life, lower: max(life + residualBand.lower, 0), upper: min(life + residualBand.upper, cap))
    }

    /// The features of every cycle of `run`, each from that cycle and the ones before it.
    func features(_ run: [[Double]]) -> [[Double]] {
        let standardised = run.map(indicator.standardised)
        guard let width = standardised.first?.count else { return [] }
        var smoothed = standardised[0]
        return standardised.indices.map { cycle in
            if cycle > 0 { for j in 0..<width { smoothed[j] += smoothing * (standardised[cycle][j] - smoothed[j]) } }
            let window = standardised[max(0, cycle - slopeWindow + 1)...cycle]
            let slopes = (0..<width).map { j in Self.slope(window.map { $0[j] }) }
            return smoothed + smoothed.map { $0 * $0 } + slopes + [Double(cycle + 1) / 100]
        }
    }

    /// The least-squares slope of equally spaced values (0 for fewer than two).
    static func slope(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let centre = Double(values.count - 1) / 2
        let mean = values.reduce(0, +) / Double(values.count)
        var (sxx, sxy) = (0.0, 0.0)
        for (index, value) in values.enumerated() {
            sxx += (Double(index) - centre) * (Double(index) - centre)
            sxy += (Double(index) - centre) * (value - mean)
        }
        return sxy / sxx
    }
}
