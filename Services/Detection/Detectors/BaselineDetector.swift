import Foundation
import PMMath

/// The default detector. It judges each reading with the trailing window it ends (``TrailingWindow``:
/// each sensor's newest value, median and spread over the last `window` readings), learns each machine's normal
/// behaviour as a baseline (mean and covariance of those features) from windows that were not flagged,
/// slowly forgetting old ones so that the baseline follows normal drift, and scores a window by its
/// Mahalanobis distance² from that baseline.
///
/// The threshold comes from a target false-alarm rate, not from a share of anomalies: it is `margin`
/// times the `quantile` of recent held-out scores, each reading scored before it was learnt (and, at
/// warm-up, by models fitted on the other blocks of the warm-up rows): scores of readings the model
/// has learnt are biased low. Scores enter that window capped at its 99th percentile, so a fault that
/// grows slowly cannot drag the threshold up with it. An alarm needs persistence: `persistence.k` anomalous readings among the
/// last `persistence.n`; once on, it holds while `persistence.k` of them stay above `hysteresis` times
/// the threshold, so that a fault that wavers around the threshold is one alarm, not many. An alarm
/// raises an event when it starts and every `eventEvery` readings while it lasts.
public struct BaselineDetector: Detector {
    public struct Parameters: Sendable, Equatable {
        /// Readings per trailing window (1: each reading on its own).
        public var window = 10
        /// Windows learnt before the first judgement.
        public var warmUp = 100
        /// Readings after which an old reading weighs half in the baseline.
        public var halfLife = 10000.0
        /// Held-out scores kept for the threshold.
        public var scoreWindow = 500
        public var quantile = 0.95
        public var margin = 3.0
        public var persistence = (k: 3, n: 5)
        /// While in alarm, a reading counts towards persistence above this share of the threshold.
        public var hysteresis = 0.5
        public var eventEvery = 300

        public init() {}

        public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
            lhs.window == rhs.window && lhs.hysteresis == rhs.hysteresis && lhs.warmUp == rhs.warmUp && lhs.halfLife == rhs.halfLife
                && lhs.scoreWindow == rhs.scoreWindow
                && lhs.quantile == rhs.quantile && lhs.margin == rhs.margin && lhs.persistence == rhs.persistence
                && lhs.eventEvery == rhs.eventEvery
        }
    }

    static let warmUpBlocks = 5

    /// Marks the encoded state of this design (windowed features), so that a state saved by an earlier
    /// design is refused instead of misread.
    static let stateFormat: UInt64 = 0x504D_4244_0002

    public let parameters: Parameters
    /// Sensors per reading.
    let sensorCount: Int
    /// Features per window: what the baseline models.
    var featureCount: Int { window.featureCount }
    private var window: TrailingWindow
    /// Feature rows learnt during warm-up, row-major; emptied when the baseline is first fitted.
    private var warmUpRows: [Double] = []
    private var baseline: Baseline?
    /// Recent held-out scores, oldest first.
    private var scores: [Double] = []
    private var threshold = 0.0
    /// The largest score the window takes in (its 99th percentile when the threshold was last set), so
    /// that a slowly growing fault cannot drag the threshold up after it.
    private var scoreCap = Double.infinity
    private var readingsSinceThreshold = 0
    /// The last `persistence.n` readings, newest in bit 0: 1 = anomalous.
    private var recentFlags: UInt64 = 0
    private var alarmLength = 0
    private var version = 0

    /// A detector for readings of `featureCount` sensors.
    public init(featureCount: Int, parameters: Parameters = Parameters()) {
        self.sensorCount = featureCount
        self.parameters = parameters
        self.window = TrailingWindow(length: parameters.window, sensorCount: featureCount)
    }

    public mutating func train(_ rows: [[Double]]) {
        for row in rows {
            window.push(row)
            if window.isFull { warmUpRows += window.features }
        }
        if warmUpRows.count / featureCount >= Self.warmUpBlocks * 2 { fitWarmUp() }
    }

    public mutating func observe(_ row: [Double]) -> Verdict {
        window.push(row)
        guard window.isFull else { return .noModel }
        let features = window.features
        guard let baseline else {
            warmUpRows += features
            if warmUpRows.count / featureCount >= parameters.warmUp { fitWarmUp() }
            return .noModel
        }
        var verdict = judge(features: features, baseline: baseline)
        let wasInAlarm = alarmLength > 0
        let flagged = verdict.score > (wasInAlarm ? parameters.hysteresis * threshold : threshold)
        recentFlags = (recentFlags << 1 | (flagged ? 1 : 0)) & ((1 << UInt64(parameters.persistence.n)) - 1)
        let inAlarm = recentFlags.nonzeroBitCount >= parameters.persistence.k
        alarmLength = inAlarm ? alarmLength + 1 : 0
        verdict.isAlarm = inAlarm
        verdict.raisesEvent = inAlarm && (alarmLength - 1) % parameters.eventEvery == 0
        if inAlarm {
            verdict.severity = max(verdict.severity, .warning)
        } else {
            // Only readings outside an alarm shape what normal looks like.
            remember(score: verdict.score)
            if !verdict.isAnomalous { self.baseline = baseline.learning(features, weight: learningRate) }
        }
        return verdict
    }

    public func judge(_ row: [Double]) -> Verdict {
        let window = window.pushing(row)
        guard window.isFull, let baseline else { return .noModel }
        return judge(features: window.features, baseline: baseline)
    }

    /// The verdict on one window's features; contributions and normal values per sensor.
    private func judge(features: [Double], baseline: Baseline) -> Verdict {
        let (distance, contributions) = baseline.distance(features)
        let anomalous = distance > threshold
        let ratio = threshold > 0 ? distance / threshold : 0
        let confidence = anomalous ? min(100, max(0, 100 * (1 - 0.5 / ratio))) : 0
        return Verdict(
            score: distance, threshold: threshold, isAnomalous: anomalous, isAlarm: false, raisesEvent: false,
            confidence: (confidence * 10).rounded() / 10, severity: anomalous ? .forConfidence(confidence) : .normal,
            contributions: anomalous ? shares(window.perSensor(contributions)) : [],
            expected: Array(baseline.mean[sensorCount..<2 * sensorCount]))
    }

    /// The weight of a new reading in the baseline, from the half-life.
    private var learningRate: Double { 1 - pow(0.5, 1 / parameters.halfLife) }

    /// Fits the first baseline on the warm-up rows, and the first threshold on their held-out scores:
    /// each block of rows scored by a baseline fitted on the other blocks.
    private mutating func fitWarmUp() {
        let rows = stride(from: 0, to: warmUpRows.count, by: featureCount).map { Array(warmUpRows[$0..<$0 + featureCount]) }
        let blockSize = rows.count / Self.warmUpBlocks
        var heldOut: [Double] = []
        for block in 0..<Self.warmUpBlocks {
            let range = block * blockSize..<(block == Self.warmUpBlocks - 1 ? rows.count : (block + 1) * blockSize)
            let others = rows.indices.filter { !range.contains($0) }.map { rows[$0] }
            let model = Baseline(rows: others)
            heldOut += rows[range].map { model.distance($0).distance }
        }
        baseline = Baseline(rows: rows)
        scores = Array(heldOut.suffix(parameters.scoreWindow))
        updateThreshold()
        warmUpRows = []
    }

    private mutating func remember(score: Double) {
        scores.append(min(score, scoreCap))
        if scores.count > parameters.scoreWindow { scores.removeFirst(scores.count - parameters.scoreWindow) }
        readingsSinceThreshold += 1
        if readingsSinceThreshold >= 50 { updateThreshold() }
    }

    private mutating func updateThreshold() {
        let sorted = scores.sorted()
        threshold = parameters.margin * Quantile.sorted(sorted, parameters.quantile)
        scoreCap = Quantile.sorted(sorted, 0.99)
        readingsSinceThreshold = 0
        version += 1
    }

    public var modelVersion: Int { version }

    public var summary: ModelSummary {
        ModelSummary(
            algorithm: "windowed_mahalanobis", version: version,
            trainingSamples: baseline == nil ? warmUpRows.count / featureCount : scores.count,
            threshold: threshold,
            parameters: [
                "window": "\(parameters.window)", "hysteresis": "\(parameters.hysteresis)",
                "warm_up": "\(parameters.warmUp)", "half_life": "\(parameters.halfLife)", "quantile": "\(parameters.quantile)",
                "margin": "\(parameters.margin)", "persistence": "\(parameters.persistence.k) of \(parameters.persistence.n)",
            ], isReady: baseline != nil)
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(Self.stateFormat)
        writer.write(window.values)
        writer.write(window.pushed)
        writer.write(warmUpRows)
        writer.write(baseline != nil)
        if let baseline {
            writer.write(baseline.mean)
            writer.write(baseline.covariance)
        }
        writer.write(scores)
        writer.write(threshold)
        writer.write(scoreCap)
        writer.write(readingsSinceThreshold)
        writer.write(recentFlags)
        writer.write(alarmLength)
        writer.write(version)
    }

    init(from reader: inout ByteReader, featureCount: Int) throws {
        guard try reader.readUInt64() == Self.stateFormat else { throw ByteReader.Malformed() }
        self.sensorCount = featureCount
        self.parameters = Parameters()
        self.window = try TrailingWindow(
            length: parameters.window, sensorCount: featureCount, values: try reader.readDoubles(), pushed: try reader.readInt())
        warmUpRows = try reader.readDoubles()
        if try reader.readBool() {
            baseline = Baseline(mean: try reader.readDoubles(), covariance: try reader.readDoubles())
        }
        scores = try reader.readDoubles()
        threshold = try reader.readDouble()
        scoreCap = try reader.readDouble()
        readingsSinceThreshold = try reader.readInt()
        recentFlags = try reader.readUInt64()
        alarmLength = try reader.readInt()
        version = try reader.readInt()
    }
}

/// A mean and covariance, and the Mahalanobis distance² of a row from them.
struct Baseline: Sendable {
    let mean: [Double]
    /// Row-major, featureCount × featureCount.
    let covariance: [Double]
    /// The Cholesky factor of the regularised covariance, for the distance.
    private let factor: [Double]

    init(mean: [Double], covariance: [Double]) {
        self.mean = mean
        self.covariance = covariance
        self.factor = Cholesky.factor(Self.regularised(covariance, mean: mean), size: mean.count)
    }

    init(rows: [[Double]]) {
        let count = Double(rows.count)
        let size = rows[0].count
        var mean = [Double](repeating: 0, count: size)
        for row in rows { for i in 0..<size { mean[i] += row[i] / count } }
        var covariance = [Double](repeating: 0, count: size * size)
        for row in rows {
            for i in 0..<size { for j in 0..<size { covariance[i * size + j] += (row[i] - mean[i]) * (row[j] - mean[j]) / count } }
        }
        self.init(mean: mean, covariance: covariance)
    }

    /// The baseline after learning `row` with weight `rate` (an exponentially weighted mean and covariance).
    func learning(_ row: [Double], weight rate: Double) -> Baseline {
        let size = mean.count
        let deviation = (0..<size).map { row[$0] - mean[$0] }
        let newMean = (0..<size).map { mean[$0] + rate * deviation[$0] }
        var newCovariance = covariance
        for i in 0..<size {
            for j in 0..<size {
                newCovariance[i * size + j] = (1 - rate) * (covariance[i * size + j] + rate * deviation[i] * deviation[j])
            }
        }
        return Baseline(mean: newMean, covariance: newCovariance)
    }

    /// Mahalanobis distance² of `row`, and each feature's part of it (which may be negative).
    func distance(_ row: [Double]) -> (distance: Double, contributions: [Double]) {
        let size = mean.count
        let deviation = (0..<size).map { row[$0] - mean[$0] }
        // z = Σ⁻¹ d, distance² = d·z.
        let z = Cholesky.solve(factor, deviation, size: size)
        let contributions = (0..<size).map { deviation[$0] * z[$0] }
        return (contributions.reduce(0, +), contributions)
    }

    /// Shrinks the covariance towards its diagonal and keeps every variance above a small floor, so
    /// that a sensor that was constant in the baseline does not make every later wobble infinite.
    static func regularised(_ covariance: [Double], mean: [Double]) -> [Double] {
        let size = mean.count
        var result = covariance
        for i in 0..<size {
            for j in 0..<size where i != j { result[i * size + j] *= 0.9 }
            let floor = pow(1e-3 * max(abs(mean[i]), 1), 2)
            result[i * size + i] = max(result[i * size + i], floor)
        }
        return result
    }
}
