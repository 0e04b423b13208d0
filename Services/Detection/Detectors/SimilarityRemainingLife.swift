/// Remaining life by similarity to past runs to failure (after Wang et al., PHM08's winning approach).
///
/// Each training run becomes a degradation curve: its smoothed health indicator, cycle by cycle, down to
/// its failure. A machine's last `window` indicator values are slid along every curve; the best-fitting
/// position of a curve says how far that run was from failure when it looked like this machine does now.
/// The misfit of a position is the mean squared difference of the indicators plus `agePenalty` times the
/// square of the difference in age (in hundreds of cycles) between the machine now and the run there:
/// runs that wore to this state in about the same time are the better guides, and without it a
/// short-lived engine that still looks healthy is matched to the flat start of long-lived ones.
/// The estimate is the average of the `neighbours` best-fitting runs' remaining lives, weighted by the
/// inverse of their misfit, and the band spans those lives: where similar runs disagree, the estimate is
/// uncertain. It needs no trend: a machine that matches the flat start of the runs is given a long life
/// (up to the cap), not nothing.
public struct SimilarityRemainingLife: RemainingLifeModel {
    public var indicator: HealthIndicator
    /// One smoothed indicator curve per training run, each ending at its failure.
    public var curves: [[Double]]
    public var cap: Double
    public var window: Int
    public var neighbours: Int
    public var agePenalty: Double

    /// Learnt from `runs`, each a run to failure (one reading per cycle, the last the failure). The
    /// defaults are the best of a grid in the 5-fold cross-validation on C-MAPSS FD001 (RULCommand's
    /// `--evaluate`); the results vary little around them.
    public init(
        runs: [[[Double]]], cap: Double, window: Int = 50, neighbours: Int = 10, agePenalty: Double = 0.001, smoothing: Double = 0.1
    ) {
        indicator = HealthIndicator(runs: runs, cap: cap, smoothing: smoothing)
        curves = runs.map(indicator.curve)
        self.cap = cap
        self.window = window
        self.neighbours = neighbours
        self.agePenalty = agePenalty
    }

    public func estimate(_ history: [[Double]]) -> RemainingLifeEstimate? {
        guard !history.isEmpty else { return nil }
        let recent = Array(indicator.curve(history).suffix(window))
        let length = recent.count
        var matches: [(misfit: Double, life: Double)] = []
        for curve in curves where curve.count >= length {
            var best = (misfit: Double.infinity, life: 0.0)
            for start in 0...(curve.count - length) {
                let age = Double(start + length - history.count) / 100
                let penalty = agePenalty * age * age
                // The squared differences only add up: stop once this position cannot beat the best.
                let bound = (best.misfit - penalty) * Double(length)
                var squares = 0.0
                for offset in 0..<length where squares < bound {
                    let difference = curve[start + offset] - recent[offset]
                    squares += difference * difference
                }
                let misfit = squares / Double(length) + penalty
                if squares < bound, misfit < best.misfit { best = (misfit, Double(curve.count - start - length)) }
            }
            matches.append(best)
        }
        guard !matches.isEmpty else { return nil }
        let nearest = matches.sorted { $0.misfit < $1.misfit }.prefix(neighbours)
        // 1e-6 bounds the weight of an exact match (a run compared with itself).
        let weights = nearest.map { 1 / ($0.misfit + 1e-6) }
        let life = zip(weights, nearest).reduce(0) { $0 + $1.0 * $1.1.life } / weights.reduce(0, +)
        let (lower, upper) = (nearest.map(\.life).min()!, nearest.map(\.life).max()!)
        // The clamp only absorbs the weighted mean's rounding.
        return RemainingLifeEstimate(cycles: min(max(life, lower), upper), lower: lower, upper: upper).capped(at: cap)
    }
}
