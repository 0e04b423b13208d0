/// A remaining useful life: the cycles (readings) expected before failure, and a band around them.
public struct RemainingLifeEstimate: Sendable, Equatable {
    public var cycles: Double
    public var lower: Double
    public var upper: Double

    public init(cycles: Double, lower: Double, upper: Double) {
        self.cycles = cycles
        self.lower = lower
        self.upper = upper
    }

    /// At most `cap` cycles, band included: a learnt model cannot tell lives longer than its target's cap apart.
    public func capped(at cap: Double) -> RemainingLifeEstimate {
        RemainingLifeEstimate(cycles: min(cycles, cap), lower: min(lower, cap), upper: min(upper, cap))
    }
}

/// A model that estimates a machine's remaining life from its readings so far (one per cycle, oldest first).
public protocol RemainingLifeModel: Sendable {
    /// The estimate after the last of `history`, or nil when the history shows no degradation to extrapolate.
    func estimate(_ history: [[Double]]) -> RemainingLifeEstimate?
}

/// The ways to estimate remaining life from runs to failure, compared by `RemainingLifeEvaluation`.
public enum RemainingLifeMethod: String, Sendable, CaseIterable {
    /// Match the recent health-indicator curve against the training runs' curves (`SimilarityRemainingLife`).
    case similarity
    /// Ridge regression of the capped life on a trailing window's features (`WindowRidgeRemainingLife`).
    case ridge
    /// Extrapolate the health indicator's recent linear trend to 0 (`DegradationTrend`).
    case trend

    /// The model learnt from `runs`, each a run to failure (one reading per cycle, the last the failure),
    /// predicting at most `cap` cycles.
    public func fit(runs: [[[Double]]], cap: Double) -> any RemainingLifeModel {
        switch self {
        case .similarity: SimilarityRemainingLife(runs: runs, cap: cap)
        case .ridge: WindowRidgeRemainingLife(runs: runs, cap: cap)
        case .trend: IndicatorTrendRemainingLife(indicator: HealthIndicator(runs: runs, cap: cap), cap: cap)
        }
    }
}

/// The health indicator's trend extrapolated to 0, the failure threshold, by `DegradationTrend`; nil
/// while the indicator shows no significant fall.
public struct IndicatorTrendRemainingLife: RemainingLifeModel {
    public var indicator: HealthIndicator
    public var cap: Double
    /// The trailing readings the trend is fitted on.
    public var window = 30

    public init(indicator: HealthIndicator, cap: Double) {
        self.indicator = indicator
        self.cap = cap
    }

    public func estimate(_ history: [[Double]]) -> RemainingLifeEstimate? {
        let values = indicator.values(history.suffix(window))
        return DegradationTrend.remainingLife(values, failureThreshold: 0, direction: .falling)?.capped(at: cap)
    }
}
