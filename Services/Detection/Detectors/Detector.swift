/// One machine's detector: it learns from the machine's readings in order and judges each one. The
/// live service and `detection backtest` run the same detectors through this interface.
public protocol Detector: Sendable {
    /// Learns from rows taken as normal before any is judged (a backtest's training rows).
    mutating func train(_ rows: [[Double]])
    /// Judges `row` (one value per feature) and learns from it as the detector's design says.
    mutating func observe(_ row: [Double]) -> Verdict
    /// Judges `row` with the current model, learning nothing.
    func judge(_ row: [Double]) -> Verdict
    /// What the model is, for GetModelInfo.
    var summary: ModelSummary { get }
    /// ``ModelSummary/version``, cheaply: it changes whenever the model is retrained.
    var modelVersion: Int { get }
    /// The detector's whole state; ``DetectorKind/decode(_:featureCount:)`` restores it exactly.
    func encode(into writer: inout ByteWriter)
}

/// What a detector's model is, for people.
public struct ModelSummary: Sendable, Equatable {
    public var algorithm: String
    /// Changes whenever the model is retrained.
    public var version: Int
    public var trainingSamples: Int
    /// On the scale of ``Verdict/score``.
    public var threshold: Double
    public var parameters: [String: String]
    public var isReady: Bool
}

/// The detectors a deployment can choose (`DETECTION_DETECTOR`, `detection backtest --detector`).
public enum DetectorKind: String, Sendable, CaseIterable {
    /// ``MachineDetector``: a per-machine baseline of trailing windows learnt from unflagged readings, a
    /// threshold from a target false-alarm rate, persistence before an alarm, and beside it each sensor's
    /// level judged against what the load predicts (slow drifts); for one-feature rows, the baseline's
    /// seasonal variant ``UnivariateDetector``.
    case `default`
    /// ``SeedDetector``: the seed's StandardScaler + Isolation Forest, retrained every 50 readings.
    case seed
    /// ``ForestDetector``: an Isolation Forest trained once, as SKAB's benchmark runs it.
    case iforest

    /// A fresh detector for rows of `featureCount` features; `seed` replaces a forest's default seed.
    public func make(featureCount: Int, seed: UInt64? = nil) -> any Detector {
        switch self {
        case .default: featureCount == 1 ? UnivariateDetector() : MachineDetector(featureCount: featureCount)
        case .seed: SeedDetector(featureCount: featureCount, seed: seed ?? SeedDetector.defaultSeed)
        case .iforest: ForestDetector(featureCount: featureCount, seed: seed ?? ForestDetector.defaultSeed)
        }
    }

    /// Restores a detector of this kind from ``Detector/encode(into:)``'s bytes.
    public func decode(_ bytes: [UInt8], featureCount: Int) throws -> any Detector {
        var reader = ByteReader(bytes)
        switch self {
        case .default:
            return featureCount == 1
                ? try UnivariateDetector(from: &reader) : try MachineDetector(decoding: bytes, featureCount: featureCount)
        case .seed: return try SeedDetector(from: &reader, featureCount: featureCount)
        case .iforest: return try ForestDetector(from: &reader, featureCount: featureCount)
        }
    }
}

extension Detector {
    /// The encoded state.
    public var encoded: [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }
}

/// Contribution shares from non-negative per-feature amounts, largest first, summing to 1.
func shares(_ amounts: [Double]) -> [(feature: Int, share: Double)] {
    let positive = amounts.map { max($0, 0) }
    let total = positive.reduce(0, +)
    guard total > 0 else { return [] }
    return positive.enumerated().map { (feature: $0.offset, share: $0.element / total) }.sorted { $0.share > $1.share }
}
