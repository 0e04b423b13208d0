import Foundation
import PMMath

/// The default detector. It learns each machine's normal behaviour as a baseline (mean and covariance
/// of its sensors) from readings that were not flagged, slowly forgetting old ones so that the baseline
/// follows normal drift, and scores a reading by its Mahalanobis distance² from that baseline.
///
/// The threshold comes from a target false-alarm rate, not from a share of anomalies: it is `margin`
/// times the `quantile` of recent held-out scores, each reading scored before it was learnt (and, at
/// warm-up, by models fitted on the other blocks of the warm-up rows): scores of readings the model
/// has learnt are biased low. Scores enter that window capped at its 99th percentile, so a fault that
/// grows slowly cannot drag the threshold up with it. An alarm needs persistence: `persistence.k` anomalous readings among the
/// last `persistence.n`. An alarm raises an event when it starts and every `eventEvery` readings
/// while it lasts.
public struct BaselineDetector: Detector {
    public struct Parameters: Sendable, Equatable {
        /// Readings learnt before the first judgement.
        public var warmUp = 100
        /// Readings after which an old reading weighs half in the baseline.
        public var halfLife = 10000.0
        /// Held-out scores kept for the threshold.
        public var scoreWindow = 500
        public var quantile = 0.95
        public var margin = 4.0
        public var persistence = (k: 3, n: 5)
        public var eventEvery = 300

        public init() {}

        public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
            lhs.warmUp == rhs.warmUp && lhs.halfLife == rhs.halfLife && lhs.scoreWindow == rhs.scoreWindow
                && lhs.quantile == rhs.quantile && lhs.margin == rhs.margin && lhs.persistence == rhs.persistence
                && lhs.eventEvery == rhs.eventEvery
        }
    }

    static let warmUpBlocks = 5

    public let parameters: Parameters
    let featureCount: Int
    /// Rows learnt during warm-up, row-major; emptied when the baseline is first fitted.
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

    public init(featureCount: Int, parameters: Parameters = Parameters()) {
        self.featureCount = featureCount
        self.parameters = parameters
    }

    public mutating func train(_ rows: [[Double]]) {
        warmUpRows += rows.flatMap { $0 }
        if rows.count >= Self.warmUpBlocks * 2 { fitWarmUp() }
    }

    public mutating func observe(_ row: [Double]) -> Verdict {
        guard let baseline else {
            warmUpRows += row
            if warmUpRows.count / featureCount >= parameters.warmUp { fitWarmUp() }
            return .noModel
        }
        var verdict = judge(row)
        recentFlags = (recentFlags << 1 | (verdict.isAnomalous ? 1 : 0)) & ((1 << UInt64(parameters.persistence.n)) - 1)
        let inAlarm = recentFlags.nonzeroBitCount >= parameters.persistence.k
        alarmLength = inAlarm ? alarmLength + 1 : 0
        verdict.isAlarm = inAlarm
        verdict.raisesEvent = inAlarm && (alarmLength - 1) % parameters.eventEvery == 0
        if inAlarm {
            verdict.severity = max(verdict.severity, .warning)
        } else {
            // Only readings outside an alarm shape what normal looks like.
            remember(score: verdict.score)
            if !verdict.isAnomalous { self.baseline = baseline.learning(row, weight: learningRate) }
        }
        return verdict
    }

    public func judge(_ row: [Double]) -> Verdict {
        guard let baseline else { return .noModel }
        let (distance, contributions) = baseline.distance(row)
        let anomalous = distance > threshold
        let ratio = threshold > 0 ? distance / threshold : 0
        let confidence = anomalous ? min(100, max(0, 100 * (1 - 0.5 / ratio))) : 0
        return Verdict(
            score: distance, threshold: threshold, isAnomalous: anomalous, isAlarm: false, raisesEvent: false,
            confidence: (confidence * 10).rounded() / 10, severity: anomalous ? .forConfidence(confidence) : .normal,
            contributions: anomalous ? shares(contributions) : [], expected: baseline.mean)
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
            algorithm: "baseline_mahalanobis", version: version,
            trainingSamples: baseline == nil ? warmUpRows.count / featureCount : scores.count,
            threshold: threshold,
            parameters: [
                "warm_up": "\(parameters.warmUp)", "half_life": "\(parameters.halfLife)", "quantile": "\(parameters.quantile)",
                "margin": "\(parameters.margin)", "persistence": "\(parameters.persistence.k) of \(parameters.persistence.n)",
            ], isReady: baseline != nil)
    }

    public func encode(into writer: inout ByteWriter) {
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
        self.featureCount = featureCount
        self.parameters = Parameters()
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
        self.factor = Self.cholesky(Self.regularised(covariance, mean: mean), size: mean.count)
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
        // Solve L y = d, then Lᵀ z = y: z = Σ⁻¹ d, distance² = d·z.
        var y = deviation
        for i in 0..<size {
            for k in 0..<i { y[i] -= factor[i * size + k] * y[k] }
            y[i] /= factor[i * size + i]
        }
        var z = y
        for i in (0..<size).reversed() {
            for k in (i + 1)..<size { z[i] -= factor[k * size + i] * z[k] }
            z[i] /= factor[i * size + i]
        }
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

    static func cholesky(_ matrix: [Double], size: Int) -> [Double] {
        var factor = [Double](repeating: 0, count: size * size)
        for i in 0..<size {
            for j in 0...i {
                var sum = matrix[i * size + j]
                for k in 0..<j { sum -= factor[i * size + k] * factor[j * size + k] }
                factor[i * size + j] = i == j ? max(sum, 1e-12).squareRoot() : sum / factor[j * size + j]
            }
        }
        return factor
    }
}
