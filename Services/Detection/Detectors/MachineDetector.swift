/// The default detector for machines (rows of several sensors): the window baseline
/// (``BaselineDetector``) for faults that change the readings within minutes, beside the load relation
/// (``LoadRelation``) for faults that drift over hours or days, which a baseline of the readings learns
/// as normal on the way. An alarm from either is the machine's alarm. The verdict's score, explanation
/// and normal values come from whichever is further above its threshold, the score on the window
/// baseline's scale (its threshold times the relation's score over the relation's threshold).
public struct MachineDetector: Detector {
    /// Marks the encoded state of this design. A state of the first format (its load a projection, no
    /// hold after alarms), or without a mark (a window baseline saved before the load relation existed),
    /// keeps its window baseline on upgrade; its relation starts afresh.
    static let stateFormat: UInt64 = 0x504D_4D44_0002
    static let firstStateFormat: UInt64 = 0x504D_4D44_0001

    private var baseline: BaselineDetector
    private var relation: LoadRelation
    /// Readings of the current alarm (0: none).
    private var alarmLength = 0

    public init(featureCount: Int) {
        baseline = BaselineDetector(featureCount: featureCount)
        relation = LoadRelation(sensorCount: featureCount)
    }

    public mutating func train(_ rows: [[Double]]) {
        baseline.train(rows)
        for row in rows { _ = relation.observe(row, othersNormal: true) }
    }

    public mutating func observe(_ row: [Double]) -> Verdict {
        let windowVerdict = baseline.observe(row)
        let judgement = relation.observe(row, othersNormal: windowVerdict.modelReady && !windowVerdict.isAnomalous)
        var verdict = Self.combine(windowVerdict, judgement, relation)
        let alarm = windowVerdict.isAlarm || judgement.isAlarm
        alarmLength = alarm ? alarmLength + 1 : 0
        verdict.isAlarm = alarm
        verdict.raisesEvent = alarm && (alarmLength - 1) % baseline.parameters.eventEvery == 0
        if alarm { verdict.severity = max(verdict.severity, .warning) }
        return verdict
    }

    public func judge(_ row: [Double]) -> Verdict {
        var relation = self.relation
        let judgement = relation.observe(row, othersNormal: false)
        return Self.combine(baseline.judge(row), judgement, relation)
    }

    /// The window's verdict, or the relation's judgement on the window's scale where it is the larger.
    private static func combine(_ windowVerdict: Verdict, _ judgement: LoadRelation.Judgement, _ relation: LoadRelation) -> Verdict {
        let windowRatio = windowVerdict.threshold > 0 ? windowVerdict.score / windowVerdict.threshold : 0
        guard windowVerdict.modelReady, judgement.ratio > windowRatio else { return windowVerdict }
        var verdict = windowVerdict
        let (contributions, expected) = relation.explanation()
        verdict.score = judgement.ratio * windowVerdict.threshold
        verdict.isAnomalous = judgement.isAnomalous || windowVerdict.isAnomalous
        verdict.confidence = verdict.isAnomalous ? Verdict.confidence(scoreOverThreshold: judgement.ratio) : 0
        verdict.severity = verdict.isAnomalous ? .forConfidence(verdict.confidence) : .normal
        verdict.contributions = verdict.isAnomalous ? shares(contributions) : []
        verdict.expected = expected
        return verdict
    }

    /// Changes with either part's threshold.
    public var modelVersion: Int { baseline.modelVersion + relation.estimates }

    public var summary: ModelSummary {
        var summary = baseline.summary
        summary.version = modelVersion
        summary.algorithm = "windowed_mahalanobis_load_relation"
        let parameters = relation.parameters
        summary.parameters["load_relation_margin"] = "\(parameters.margin)"
        summary.parameters["load_relation_persistence"] = "\(parameters.persistence)"
        summary.parameters["load_relation_judging"] = "\(relation.threshold.isFinite)"
        return summary
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(Self.stateFormat)
        baseline.encode(into: &writer)
        relation.encode(into: &writer)
        writer.write(alarmLength)
    }

    /// Restores ``encode(into:)``'s bytes, or the window baseline of an earlier state (above).
    init(decoding bytes: [UInt8], featureCount: Int) throws {
        var reader = ByteReader(bytes)
        let format = try reader.readUInt64()
        guard format == Self.stateFormat else {
            var baselineReader = format == Self.firstStateFormat ? reader : ByteReader(bytes)
            baseline = try BaselineDetector(from: &baselineReader, featureCount: featureCount)
            relation = LoadRelation(sensorCount: featureCount)
            return
        }
        baseline = try BaselineDetector(from: &reader, featureCount: featureCount)
        relation = try LoadRelation(from: &reader, sensorCount: featureCount)
        alarmLength = try reader.readInt()
        guard (0...LoadRelation.maximumCount).contains(alarmLength) else { throw ByteReader.Malformed() }
    }
}
