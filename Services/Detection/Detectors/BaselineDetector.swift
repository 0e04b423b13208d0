import Foundation
import PMMath

/// The default detector. It judges each reading with the trailing window it ends (``TrailingWindow``:
/// each sensor's newest value, median and spread over the last `window` readings), learns each machine's
/// normal behaviour as a baseline (mean and covariance of those features), and scores a window by its
/// Mahalanobis distance² from that baseline.
///
/// What the baseline learns decides what is missed. It learns only typical windows (scoring below the
/// `learningQuantile` of held-out scores), each with the weight of a plain average at first (so that a
/// machine's first hours, daily load cycle included, are learnt whole) and later with a `halfLife` of
/// about a day at one reading per second, so that it follows seasons and wear-in but not a fault that
/// develops over hours: a baseline that learnt every unflagged window within a few hours took in slow
/// fouling and seal leaks as normal, and their readings' variance widened it further (docs/detection.md).
///
/// The threshold comes from a target false-alarm rate, not from a share of anomalies: it is `margin`
/// times the `quantile` of held-out scores, each reading scored before it was learnt (and, at warm-up,
/// by models fitted on the other blocks of the warm-up rows): scores of readings the model has learnt
/// are biased low. Those scores are kept as a histogram that fades as the baseline does
/// (``ScoreDistribution``), entering capped at its 99th percentile, so that a slowly growing fault cannot
/// drag the threshold up with it. An alarm needs persistence: `persistence.k` anomalous readings among the
/// last `persistence.n`; once on, it holds while `persistence.k` of them stay above `hysteresis` times
/// the threshold, so that a fault that wavers around the threshold is one alarm, not many. An alarm
/// raises an event when it starts and every `eventEvery` readings while it lasts; with an `alarmHold`, it
/// is reported that many readings after it ends, so that a relapse within them is the same alarm.
public struct BaselineDetector: Detector {
    public struct Parameters: Sendable, Equatable {
        /// Readings per trailing window (1: each reading on its own).
        public var window = 10
        /// Windows learnt before the first judgement.
        public var warmUp = 100
        /// Readings after which an old reading weighs half in the baseline (28 hours at one reading per
        /// second): a fault that develops over a day or two must not become the baseline on the way.
        public var halfLife = 100_000.0
        /// Only windows scoring below this quantile of held-out scores are learnt.
        public var learningQuantile = 0.9
        public var quantile = 0.95
        public var margin = 3.0
        public var persistence = (k: 3, n: 5)
        /// While in alarm, a reading counts towards persistence above this share of the threshold.
        public var hysteresis = 0.5
        public var eventEvery = 300
        /// Readings an alarm stays on after persistence last held it (0: it ends at once), so that a
        /// stream wavering around the threshold raises one alarm rather than a string of them.
        public var alarmHold = 0

        public init() {}

        public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
            lhs.window == rhs.window && lhs.hysteresis == rhs.hysteresis && lhs.learningQuantile == rhs.learningQuantile
                && lhs.warmUp == rhs.warmUp && lhs.halfLife == rhs.halfLife
                && lhs.quantile == rhs.quantile && lhs.margin == rhs.margin && lhs.persistence == rhs.persistence
                && lhs.eventEvery == rhs.eventEvery && lhs.alarmHold == rhs.alarmHold
        }
    }

    static let warmUpBlocks = 5

    /// Marks the encoded state of this design (windowed features), so that a state saved by an earlier
    /// design is refused instead of misread.
    static let stateFormat: UInt64 = 0x504D_4244_0005
    /// Earlier formats, still read so that an upgrade keeps every machine's model (a model that starts
    /// afresh learns a developing fault as normal): every bin of the score histogram saved, and before
    /// that, also without the alarm hold's counter.
    static let stateFormatUntrimmedScores: UInt64 = 0x504D_4244_0004
    static let stateFormatWithoutHold: UInt64 = 0x504D_4244_0003

    public let parameters: Parameters
    private let fading: FadingWeight
    /// Sensors per reading.
    let sensorCount: Int
    /// Features per window: what the baseline models.
    var featureCount: Int { window.featureCount }
    private var window: TrailingWindow
    /// Feature rows learnt during warm-up, row-major; emptied when the baseline is first fitted.
    private var warmUpRows: [Double] = []
    private var baseline: Baseline?
    /// Held-out scores, fading as the baseline does.
    private var scores = ScoreDistribution()
    private var threshold = 0.0
    /// The largest score the window takes in (its 99th percentile when the threshold was last set), so
    /// that a slowly growing fault cannot drag the threshold up after it.
    private var scoreCap = Double.infinity
    private var readingsSinceThreshold = 0
    /// The last `persistence.n` readings, newest in bit 0: 1 = anomalous.
    private var recentFlags: UInt64 = 0
    /// Readings of the alarm reported now (0: none).
    private var alarmLength = 0
    /// Readings since persistence last held (0: in alarm now); the alarm reported lasts `alarmHold`
    /// readings longer.
    private var readingsSinceAlarm = Int.max
    private var version = 0
    /// Windows the baseline has learnt: early on each weighs 1/count (a plain average), so that the
    /// first hours' normal variation is learnt whole before the half-life takes over.
    private var learnt = 0
    /// The `learningQuantile` of held-out scores when the threshold was last set: windows scoring
    /// above it are judged but not learnt.
    private var learningLimit = Double.infinity

    /// A detector for readings of `featureCount` sensors.
    public init(featureCount: Int, parameters: Parameters = Parameters()) {
        self.sensorCount = featureCount
        self.parameters = parameters
        self.fading = FadingWeight(halfLife: parameters.halfLife)
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
        let wasInAlarm = readingsSinceAlarm == 0
        let flagged = verdict.score > (wasInAlarm ? parameters.hysteresis * threshold : threshold)
        recentFlags = (recentFlags << 1 | (flagged ? 1 : 0)) & ((1 << UInt64(parameters.persistence.n)) - 1)
        let inAlarm = recentFlags.nonzeroBitCount >= parameters.persistence.k
        readingsSinceAlarm = inAlarm ? 0 : min(readingsSinceAlarm, Int.max - 1) + 1
        // The reported alarm outlasts the condition by the hold; learning and hysteresis follow the condition.
        let reported = readingsSinceAlarm <= parameters.alarmHold
        alarmLength = reported ? alarmLength + 1 : 0
        verdict.isAlarm = reported
        verdict.raisesEvent = reported && (alarmLength - 1) % parameters.eventEvery == 0
        if reported { verdict.severity = max(verdict.severity, .warning) }
        // Only readings outside an alarm shape what normal looks like.
        if !inAlarm {
            remember(score: verdict.score)
            // Only typical windows teach it: one that scores above most held-out scores might be the
            // start of a slow fault, and learning it would make the fault look normal.
            if verdict.score < learningLimit {
                self.baseline!.learn(features, weight: learningRate)
                learnt += 1
            }
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
        let confidence = anomalous ? Verdict.confidence(scoreOverThreshold: distance / threshold) : 0
        return Verdict(
            score: distance, threshold: threshold, isAnomalous: anomalous, isAlarm: false, raisesEvent: false,
            confidence: confidence, severity: anomalous ? .forConfidence(confidence) : .normal,
            contributions: anomalous ? shares(window.perSensor(contributions)) : [],
            expected: Array(baseline.mean[sensorCount..<2 * sensorCount]))
    }

    /// The weight of a new reading in the baseline: an average's 1/count until the half-life's rate is larger.
    private var learningRate: Double { fading.weight(ofSample: learnt + 1) }

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
        learnt = rows.count
        for (index, score) in heldOut.enumerated() { scores.add(score, rate: 1 / Double(index + 1)) }
        updateThreshold()
        warmUpRows = []
    }

    private mutating func remember(score: Double) {
        scores.add(min(score, scoreCap), rate: learningRate)
        readingsSinceThreshold += 1
        if readingsSinceThreshold >= 50 { updateThreshold() }
    }

    private mutating func updateThreshold() {
        threshold = parameters.margin * scores.quantile(parameters.quantile)
        scoreCap = scores.quantile(0.99)
        learningLimit = scores.quantile(parameters.learningQuantile)
        readingsSinceThreshold = 0
        version += 1
    }

    public var modelVersion: Int { version }

    public var summary: ModelSummary {
        ModelSummary(
            algorithm: "windowed_mahalanobis", version: version,
            trainingSamples: baseline == nil ? warmUpRows.count / featureCount : learnt,
            threshold: threshold,
            parameters: [
                "window": "\(parameters.window)", "hysteresis": "\(parameters.hysteresis)",
                "warm_up": "\(parameters.warmUp)", "half_life": "\(parameters.halfLife)",
                "learning_quantile": "\(parameters.learningQuantile)", "quantile": "\(parameters.quantile)",
                "margin": "\(parameters.margin)", "persistence": "\(parameters.persistence.k) of \(parameters.persistence.n)",
                "alarm_hold": "\(parameters.alarmHold)",
            ], isReady: baseline != nil)
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(Self.stateFormat)
        writer.write(window.values)
        writer.write(window.pushed)
        writer.write(warmUpRows)
        writer.write(baseline != nil)
        if let baseline { baseline.encode(into: &writer) }
        scores.encode(into: &writer)
        writer.write(threshold)
        writer.write(scoreCap)
        writer.write(readingsSinceThreshold)
        writer.write(recentFlags)
        writer.write(alarmLength)
        writer.write(readingsSinceAlarm)
        writer.write(version)
        writer.write(learnt)
        writer.write(learningLimit)
    }

    init(from reader: inout ByteReader, featureCount: Int, parameters: Parameters = Parameters()) throws {
        let format = try reader.readUInt64()
        guard [Self.stateFormat, Self.stateFormatUntrimmedScores, Self.stateFormatWithoutHold].contains(format) else {
            throw ByteReader.Malformed()
        }
        self.sensorCount = featureCount
        self.parameters = parameters
        self.fading = FadingWeight(halfLife: parameters.halfLife)
        self.window = try TrailingWindow(
            length: parameters.window, sensorCount: featureCount, values: try reader.readDoubles(), pushed: try reader.readInt())
        warmUpRows = try reader.readDoubles()
        if try reader.readBool() { baseline = try Baseline(from: &reader, size: 3 * featureCount) }
        scores = format == Self.stateFormat ? try ScoreDistribution(from: &reader) : try ScoreDistribution(untrimmedFrom: &reader)
        threshold = try reader.readDouble()
        scoreCap = try reader.readDouble()
        readingsSinceThreshold = try reader.readInt()
        recentFlags = try reader.readUInt64()
        alarmLength = try reader.readInt()
        // Without a hold, the condition and the reported alarm were one.
        readingsSinceAlarm = format == Self.stateFormatWithoutHold ? (alarmLength > 0 ? 0 : .max) : try reader.readInt()
        guard alarmLength >= 0, readingsSinceAlarm >= 0, readingsSinceThreshold >= 0 else { throw ByteReader.Malformed() }
        version = try reader.readInt()
        learnt = try reader.readInt()
        learningLimit = try reader.readDouble()
    }
}

/// A mean and covariance, and the Mahalanobis distance² of a row from them.
struct Baseline: Sendable {
    private(set) var mean: [Double]
    /// Row-major, featureCount × featureCount.
    private(set) var covariance: [Double]
    /// The Cholesky factor of the regularised covariance, for the distance; refreshed every
    /// ``refactorEvery`` learnt rows (a factorisation per reading was most of the scoring time, and a
    /// baseline moves little in that many).
    private var factor: [Double]
    private var learntSinceFactor = 0
    static let refactorEvery = 16

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

    /// The mean, covariance and factor as they are (a factor recomputed on decoding would differ from a
    /// stale one, and the restored detector would not judge as the saved one did).
    func encode(into writer: inout ByteWriter) {
        writer.write(mean)
        writer.write(covariance)
        writer.write(factor)
        writer.write(learntSinceFactor)
    }

    init(from reader: inout ByteReader, size: Int) throws {
        mean = try reader.readDoubles()
        covariance = try reader.readDoubles()
        factor = try reader.readDoubles()
        learntSinceFactor = try reader.readInt()
        guard mean.count == size, covariance.count == size * size, factor.count == size * size else { throw ByteReader.Malformed() }
    }

    /// Learns `row` with weight `rate` (an exponentially weighted mean and covariance).
    mutating func learn(_ row: [Double], weight rate: Double) {
        let size = mean.count
        let deviation = (0..<size).map { row[$0] - mean[$0] }
        for i in 0..<size {
            mean[i] += rate * deviation[i]
            for j in 0..<size {
                covariance[i * size + j] = (1 - rate) * (covariance[i * size + j] + rate * deviation[i] * deviation[j])
            }
        }
        learntSinceFactor += 1
        if learntSinceFactor >= Self.refactorEvery {
            factor = Cholesky.factor(Self.regularised(covariance, mean: mean), size: size)
            learntSinceFactor = 0
        }
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
