/// How urgent a verdict is, with the seed's scale: confidence above 85 critical, 70 to 85 warning,
/// below that monitoring.
public enum VerdictSeverity: Int, Sendable, Comparable {
    case normal, monitoring, warning, critical

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The seed's mapping from a confidence (0-100) to a severity.
    public static func forConfidence(_ confidence: Double) -> Self {
        confidence > 85 ? .critical : confidence >= 70 ? .warning : .monitoring
    }
}

/// A detector's judgement of one reading.
public struct Verdict: Sendable, Equatable {
    /// Higher is more anomalous (for the forest, `-score_samples`).
    public var score: Double
    /// The reading is anomalous when `score` is above it.
    public var threshold: Double
    /// This reading alone is beyond the threshold.
    public var isAnomalous: Bool
    /// The machine is in alarm after this reading: what the detector predicts (for the default, after
    /// persistence; for the seed, every anomalous reading).
    public var isAlarm: Bool
    /// An alarm that should become an anomaly event (an alert): its first reading, and now and then
    /// while it lasts.
    public var raisesEvent: Bool
    /// 0-100.
    public var confidence: Double
    public var severity: VerdictSeverity
    /// How much each feature drove the score (feature index, share), largest first; empty when normal.
    public var contributions: [(feature: Int, share: Double)]
    /// The machine's normal value of each feature, as the model sees it; empty when it has none.
    public var expected: [Double]
    /// False while the machine has too little history for a model.
    public var modelReady: Bool

    public init(
        score: Double, threshold: Double, isAnomalous: Bool, isAlarm: Bool, raisesEvent: Bool, confidence: Double,
        severity: VerdictSeverity, contributions: [(feature: Int, share: Double)] = [], expected: [Double] = [], modelReady: Bool = true
    ) {
        self.score = score
        self.threshold = threshold
        self.isAnomalous = isAnomalous
        self.isAlarm = isAlarm
        self.raisesEvent = raisesEvent
        self.confidence = confidence
        self.severity = severity
        self.contributions = contributions
        self.expected = expected
        self.modelReady = modelReady
    }

    /// The confidence (0-100, to a tenth) of a reading scoring `ratio` times the threshold: 0 at the
    /// threshold's half, 50 at the threshold, towards 100 far above it.
    public static func confidence(scoreOverThreshold ratio: Double) -> Double {
        guard ratio > 0 else { return 0 }
        return (min(100, max(0, 100 * (1 - 0.5 / ratio))) * 10).rounded() / 10
    }

    /// The verdict while there is no model yet.
    public static let noModel = Verdict(
        score: 0, threshold: 0, isAnomalous: false, isAlarm: false, raisesEvent: false, confidence: 0, severity: .normal,
        modelReady: false)

    public static func == (lhs: Verdict, rhs: Verdict) -> Bool {
        lhs.score == rhs.score && lhs.threshold == rhs.threshold && lhs.isAnomalous == rhs.isAnomalous && lhs.isAlarm == rhs.isAlarm
            && lhs.raisesEvent == rhs.raisesEvent && lhs.confidence == rhs.confidence && lhs.severity == rhs.severity
            && lhs.modelReady == rhs.modelReady && lhs.expected == rhs.expected
            && lhs.contributions.map(\.feature) == rhs.contributions.map(\.feature)
            && lhs.contributions.map(\.share) == rhs.contributions.map(\.share)
    }
}
