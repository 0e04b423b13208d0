import Foundation
import PMMath
import PMProto

/// One machine's sensors over time: baseline, daily load cycle, a load factor that moves temperature and
/// power together, per-sensor noise, and at times a fault.
public struct SimulatedMachine: Sendable {
    public let equipmentID: Int64
    let profile: MachineProfile
    private var random: SeededRandom
    /// Slowly wandering load (AR(1) process around 0): what correlates the sensors.
    private var loadDrift = 0.0
    public private(set) var fault: Fault?

    public init(equipmentID: Int64, type: String, seed: UInt64) {
        self.equipmentID = equipmentID
        self.profile = MachineProfile.forType(type)
        self.random = SeededRandom(seed: seed ^ UInt64(bitPattern: equipmentID &* 0x5851_F42D_4C95_7F2D))
    }

    /// The reading at `timestamp`; calls must come in time order. `faultChance` is the probability that a
    /// fault starts at this reading; `faultTimeScale` shrinks fault durations (60: an hour lasts a minute).
    /// Returns the fault that started at this reading, if any.
    public mutating func reading(atMs timestamp: Int64, faultChance: Double, faultTimeScale: Double) -> (Reading, started: Fault?) {
        var started: Fault?
        if let current = fault, timestamp >= current.endMs {
            fault = nil
        } else if fault == nil, Double.random(in: 0..<1, using: &random) < faultChance {
            let kind = Fault.Kind.allCases.randomElement(using: &random)!
            let hours = Double.random(in: kind.durationHours, using: &random) / max(faultTimeScale, 1e-9)
            fault = Fault(equipmentID: equipmentID, kind: kind, startMs: timestamp, endMs: timestamp + max(Int64(hours * 3_600_000), 1000))
            started = fault
        }

        let hourOfDay = Double(timestamp % 86_400_000) / 3_600_000
        // Busiest in the early afternoon, quietest at night.
        let daily = profile.dailySwing * sin((hourOfDay - 8) / 24 * 2 * .pi)
        loadDrift = 0.98 * loadDrift + 0.02 * random.gaussian()
        let load = 1 + daily + 0.5 * loadDrift

        var values = SensorValues(
            temperature: profile.temperature + 8 * (load - 1),
            vibration: profile.vibration * (0.9 + 0.1 * load),
            pressure: profile.pressure * (0.97 + 0.03 * load),
            power: profile.power * load,
            efficiency: profile.efficiency - 2 * abs(load - 1)
        )
        if let fault {
            fault.apply(progress: fault.progress(atMs: timestamp), to: &values)
        }
        let noise = profile.noise
        let reading = Reading(
            equipmentID: equipmentID,
            timestampMs: timestamp,
            temperature: values.temperature + abs(profile.temperature) * noise * random.gaussian(),
            vibration: max(0, values.vibration * (1 + noise * random.gaussian())),
            pressure: max(0, values.pressure * (1 + noise * random.gaussian())),
            powerConsumption: max(0, values.power * (1 + noise * random.gaussian())),
            efficiency: min(100, max(0, values.efficiency + 100 * noise * 0.2 * random.gaussian()))
        )
        return (reading, started)
    }
}
