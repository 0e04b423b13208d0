/// A fault the simulator injects, and what it does to the sensors as it progresses.
public struct Fault: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Vibration climbs first, temperature follows late.
        case bearingWear = "bearing_wear"
        /// Pressure drops while the motor draws more power.
        case sealLeak = "seal_leak"
        /// Efficiency declines slowly; the machine runs a little hotter.
        case fouling
        /// A jam or electrical fault: an abrupt jump in vibration, temperature and power.
        case suddenFailure = "sudden_failure"

        /// How long the fault lasts before the machine would fail, in simulated hours (min, max).
        var durationHours: ClosedRange<Double> {
            switch self {
            case .bearingWear: 6...24
            case .sealLeak: 3...12
            case .fouling: 12...48
            case .suddenFailure: 0.03...0.15
            }
        }
    }

    public var equipmentID: Int64
    public var kind: Kind
    public var startMs: Int64
    public var endMs: Int64

    /// 0 at the start, 1 at the end.
    func progress(atMs timestamp: Int64) -> Double {
        guard endMs > startMs else { return 1 }
        return min(max(Double(timestamp - startMs) / Double(endMs - startMs), 0), 1)
    }

    /// Applies the fault at `progress` to healthy sensor values.
    func apply(progress p: Double, to values: inout SensorValues) {
        switch kind {
        case .bearingWear:
            values.vibration *= 1 + 2.5 * p * p
            values.temperature += 15 * p * p * p
            values.efficiency -= 3 * p
        case .sealLeak:
            values.pressure *= 1 - 0.35 * p
            values.power *= 1 + 0.25 * p
            values.efficiency -= 5 * p
        case .fouling:
            values.efficiency -= 12 * p
            values.temperature += 6 * p
            values.power *= 1 + 0.1 * p
        case .suddenFailure:
            values.vibration *= 3
            values.temperature += 20
            values.power *= 1.5
        }
    }
}

/// One reading's sensor values while they are being computed.
struct SensorValues {
    var temperature: Double
    var vibration: Double
    var pressure: Double
    var power: Double
    var efficiency: Double
}
