import Foundation
import PMMath

/// The seed's detector, as `../shared/seedref/app.py` runs it per machine: once 50 readings exist,
/// StandardScaler + IsolationForest(contamination 0.1, 100 trees, seed 42) fitted on the 200 most recent
/// readings, refitted every 50 new ones (before the reading that triggers it is scored). A reading the
/// forest predicts -1 is anomalous, with confidence `clamp(-score_samples × 100, 0, 100)` rounded to 0.1
/// and the seed's severities; every warning or critical one raises an event.
public struct SeedDetector: Detector {
    public static let minReadings = 50
    public static let retrainEvery = 50
    public static let window = 200
    public static let trees = 100
    public static let contamination = 0.1
    public static let defaultSeed: UInt64 = 42

    let featureCount: Int
    /// The forest's random seed (the seed's `random_state`).
    let seed: UInt64
    /// The most recent readings, row-major: enough for the next training window and to rebuild the
    /// current model (window + retrainEvery rows at most).
    private var recent: [Double] = []
    /// Readings since the model was trained (the seed's `new_since_train`).
    private var sinceTraining = 0
    /// Rows the current model was trained on (0: no model).
    private var trainingRows = 0
    private var version = 0
    private var model: Model?

    struct Model: Sendable {
        let scaler: StandardScaler
        let forest: IsolationForest
        /// scikit-learn's `offset_`: the 10th percentile of the training rows' scores.
        let offset: Double

        init(rows: [Double], featureCount: Int, seed: UInt64) {
            scaler = StandardScaler(rows: rows, featureCount: featureCount)
            let scaled = scaler.transform(rows)
            let fitted = IsolationForest.fittedWithTrainingScores(
                rows: scaled, featureCount: featureCount, trees: SeedDetector.trees, seed: seed)
            forest = fitted.forest
            offset = Quantile.of(fitted.scores, SeedDetector.contamination)
        }
    }

    public init(featureCount: Int, seed: UInt64 = defaultSeed) {
        self.featureCount = featureCount
        self.seed = seed
    }

    public mutating func train(_ rows: [[Double]]) {
        for row in rows { _ = observe(row) }
    }

    public mutating func observe(_ row: [Double]) -> Verdict {
        recent += row
        let limit = (Self.window + Self.retrainEvery) * featureCount
        if recent.count > limit { recent.removeFirst(recent.count - limit) }
        sinceTraining += 1
        let available = min(recent.count / featureCount, Self.window)
        if available >= Self.minReadings, model == nil || sinceTraining >= Self.retrainEvery {
            trainingRows = available
            sinceTraining = 0
            version += 1
            model = Model(rows: Array(recent.suffix(available * featureCount)), featureCount: featureCount, seed: seed)
        }
        return judge(row)
    }

    public func judge(_ row: [Double]) -> Verdict {
        guard let model else { return .noModel }
        let scaled = model.scaler.transform(row)
        let score = model.forest.scoreSample(scaled)
        let anomalous = score - model.offset < 0
        let confidence = (min(100, max(0, -score * 100)) * 10).rounded() / 10
        let severity: VerdictSeverity = anomalous ? .forConfidence(confidence) : .normal
        return Verdict(
            score: -score, threshold: -model.offset, isAnomalous: anomalous, isAlarm: anomalous,
            raisesEvent: severity >= .warning, confidence: anomalous ? confidence : 0, severity: severity,
            contributions: anomalous ? shares(scaled.map { abs($0) }) : [], expected: model.scaler.means)
    }

    public var modelVersion: Int { version }

    public var summary: ModelSummary {
        ModelSummary(
            algorithm: "isolation_forest", version: version, trainingSamples: trainingRows, threshold: -(model?.offset ?? 0.5),
            parameters: [
                "n_estimators": "\(Self.trees)", "contamination": "\(Self.contamination)", "random_state": "\(seed)",
                "window": "\(Self.window)", "retrain_every": "\(Self.retrainEvery)", "scaler": "standard",
            ], isReady: model != nil)
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(seed)
        writer.write(recent)
        writer.write(sinceTraining)
        writer.write(trainingRows)
        writer.write(version)
    }

    /// Restores the state; the model is refitted on the rows it was trained on, which gives the same
    /// forest (the fit is deterministic).
    init(from reader: inout ByteReader, featureCount: Int) throws {
        self.featureCount = featureCount
        seed = try reader.readUInt64()
        recent = try reader.readDoubles()
        sinceTraining = try reader.readInt()
        trainingRows = try reader.readInt()
        version = try reader.readInt()
        guard trainingRows > 0 else { return }
        let end = recent.count - sinceTraining * featureCount
        let start = end - trainingRows * featureCount
        guard start >= 0, end <= recent.count else { throw ByteReader.Truncated() }
        model = Model(rows: Array(recent[start..<end]), featureCount: featureCount, seed: seed)
    }
}
