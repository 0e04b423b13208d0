/// A machine's health from its detector's verdicts, and when it is heading for failure.
///
/// The degradation indicator is the score relative to the threshold (1 = at the alarm limit). Health
/// is 100 at a score of 0, 50 at the threshold and 0 at ``failureRatio`` times it, the level this
/// platform calls failure. The predicted failure is the newest ``capacity`` indicator values' straight
/// line extrapolated to that level (``DegradationTrend``: a band from the slope's uncertainty, and no
/// estimate without a significant rise), converted to time with the readings' own spacing. It is
/// predicted only while the machine is degrading, its indicator beyond ``degradingRatio``: a healthy
/// machine's small wobbles, extrapolated, would give failure dates that mean nothing.
public struct HealthTrend: Sendable, Equatable {
    /// Indicator values kept: about a minute at one reading a second.
    public static let capacity = 60
    public static let failureRatio = 2.0
    public static let degradingRatio = 0.5
    /// The furthest failure predicted: ten years ahead.
    public static let horizonMs = 10 * 365.25 * 86_400_000.0

    /// The newest indicator values and their readings' times, oldest first.
    public private(set) var ratios: [Double] = []
    public private(set) var timesMs: [Int64] = []

    public init() {}

    /// When failure is expected, with its band (`earliestMs`...`latestMs`; `latestMs` nil when the
    /// band's slow end never reaches failure).
    public struct Failure: Sendable, Equatable {
        public var atMs: Int64
        public var earliestMs: Int64
        public var latestMs: Int64?
    }

    /// Records a verdict of a reading at `timeMs`; verdicts without a model say nothing of health.
    public mutating func record(_ verdict: Verdict, atMs timeMs: Int64) {
        guard verdict.modelReady, verdict.threshold > 0 else { return }
        ratios.append(verdict.score / verdict.threshold)
        timesMs.append(timeMs)
        if ratios.count > Self.capacity {
            ratios.removeFirst(ratios.count - Self.capacity)
            timesMs.removeFirst(timesMs.count - Self.capacity)
        }
    }

    /// 0-100 from the newest indicator value; nil before the first.
    public var health: Double? {
        ratios.last.map { (100 * min(1, max(0, 1 - $0 / Self.failureRatio))).rounded() }
    }

    /// The predicted failure, or nil when the machine is not degrading.
    public var failure: Failure? {
        guard let latest = ratios.last, latest >= Self.degradingRatio, let lastMs = timesMs.last, let firstMs = timesMs.first,
            ratios.count >= 10,
            let estimate = DegradationTrend.remainingLife(ratios, failureThreshold: Self.failureRatio, direction: .rising)
        else { return nil }
        // Readings arrive in stream order; a backfill may carry older times. No spacing, no date.
        let spacingMs = Double(lastMs - firstMs) / Double(ratios.count - 1)
        guard spacingMs > 0 else { return nil }
        func at(_ readings: Double) -> Int64? {
            let ms = readings * spacingMs
            // A date beyond the horizon means nothing, and must not reach the year-9999 bound of the contract.
            return ms.isFinite && ms >= 0 && ms <= Self.horizonMs ? lastMs + Int64(ms) : nil
        }
        guard let atMs = at(estimate.cycles), let earliestMs = at(estimate.lower) else { return nil }
        return Failure(atMs: atMs, earliestMs: earliestMs, latestMs: at(estimate.upper))
    }

    /// The state, for saving beside the detector's.
    public func encode(into writer: inout ByteWriter) {
        writer.write(ratios)
        for time in timesMs { writer.write(Int(time)) }
    }

    public init(from reader: inout ByteReader) throws {
        ratios = try reader.readDoubles()
        guard ratios.count <= Self.capacity else { throw ByteReader.Malformed() }
        timesMs = try ratios.map { _ in Int64(try reader.readInt()) }
    }
}
