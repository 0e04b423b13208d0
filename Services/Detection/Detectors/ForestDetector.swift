import PMMath

/// An Isolation Forest trained once on the first rows and never again, as SKAB's benchmark runs it:
/// IsolationForest(contamination 0.0005, seed 0) on the raw training rows, and a reading predicted
/// anomalous when the median of the last three per-row predictions is.
public struct ForestDetector: Detector {
    public static let contamination = 0.0005
    public static let defaultSeed: UInt64 = 0
    /// Rows learnt before the forest is fitted when no training rows are given (SKAB's 400).
    public static let warmUp = 400

    let featureCount: Int
    let seed: UInt64
    private var trainingRows: [Double] = []
    private var model: (forest: IsolationForest, offset: Double)?
    /// The last three per-row predictions, newest in bit 0.
    private var recent: UInt8 = 0

    public init(featureCount: Int, seed: UInt64 = defaultSeed) {
        self.featureCount = featureCount
        self.seed = seed
    }

    public mutating func train(_ rows: [[Double]]) {
        trainingRows += rows.flatMap { $0 }
        fit()
    }

    public mutating func observe(_ row: [Double]) -> Verdict {
        guard model != nil else {
            trainingRows += row
            if trainingRows.count / featureCount >= Self.warmUp { fit() }
            return .noModel
        }
        var verdict = judge(row)
        recent = (recent << 1 | (verdict.isAnomalous ? 1 : 0)) & 0b111
        verdict.isAlarm = recent.nonzeroBitCount >= 2
        verdict.raisesEvent = verdict.isAlarm && verdict.severity >= .warning
        return verdict
    }

    public func judge(_ row: [Double]) -> Verdict {
        guard let model else { return .noModel }
        let score = model.forest.scoreSample(row)
        let anomalous = score < model.offset
        let confidence = anomalous ? min(100, max(0, -score * 100)) : 0
        return Verdict(
            score: -score, threshold: -model.offset, isAnomalous: anomalous, isAlarm: false, raisesEvent: false,
            confidence: confidence, severity: anomalous ? .forConfidence(confidence) : .normal)
    }

    private mutating func fit() {
        guard trainingRows.count >= featureCount else { return }
        let fitted = IsolationForest.fittedWithTrainingScores(rows: trainingRows, featureCount: featureCount, seed: seed)
        model = (fitted.forest, Quantile.of(fitted.scores, Self.contamination))
    }

    public var modelVersion: Int { model == nil ? 0 : 1 }

    public var summary: ModelSummary {
        ModelSummary(
            algorithm: "isolation_forest", version: modelVersion, trainingSamples: trainingRows.count / featureCount,
            threshold: -(model?.offset ?? 0.5),
            parameters: ["n_estimators": "100", "contamination": "\(Self.contamination)", "random_state": "\(seed)"],
            isReady: model != nil)
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(seed)
        writer.write(trainingRows)
        writer.write(model != nil)
        writer.write(recent)
    }

    init(from reader: inout ByteReader, featureCount: Int) throws {
        self.featureCount = featureCount
        seed = try reader.readUInt64()
        trainingRows = try reader.readDoubles()
        let fitted = try reader.readBool()
        recent = try reader.readUInt8()
        if fitted { fit() }
    }
}
