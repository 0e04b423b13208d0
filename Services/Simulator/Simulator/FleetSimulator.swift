import PMProto

/// The whole fleet's readings at a fixed rate per machine, with faults injected at random (seeded).
public struct FleetSimulator: Sendable {
    public struct Settings: Sendable {
        /// Readings per second per machine (at most 1,000: timestamps are whole milliseconds).
        public var rate: Double
        /// Average faults started per machine per day.
        public var faultsPerDay: Double
        /// Shrinks fault durations: 60 makes an hour-long degradation last a minute.
        public var faultTimeScale: Double
        public var seed: UInt64

        public init(rate: Double = 1, faultsPerDay: Double = 0.2, faultTimeScale: Double = 1, seed: UInt64 = 42) {
            self.rate = rate
            self.faultsPerDay = faultsPerDay
            self.faultTimeScale = faultTimeScale
            self.seed = seed
        }

        var intervalMs: Int64 { max(Int64((1000 / rate).rounded()), 1) }

        /// The chance that a fault starts at any one reading, so that `faultsPerDay` start per day.
        var faultChance: Double { faultsPerDay * Double(intervalMs) / 86_400_000 }
    }

    public let settings: Settings
    public private(set) var machines: [SimulatedMachine]
    private var nextTimestampMs: Int64

    public init(equipment: [(id: Int64, type: String)], settings: Settings, startMs: Int64) {
        self.settings = settings
        self.machines = equipment.map { SimulatedMachine(equipmentID: $0.id, type: $0.type, seed: settings.seed) }
        self.nextTimestampMs = startMs
    }

    /// Every reading due up to and including `nowMs`, oldest first, and the faults that started meanwhile.
    public mutating func advance(toMs nowMs: Int64) -> (readings: [Reading], faults: [Fault]) {
        var readings = [Reading]()
        var faults = [Fault]()
        while nextTimestampMs <= nowMs {
            for index in machines.indices {
                let (reading, started) = machines[index].reading(
                    atMs: nextTimestampMs, faultChance: settings.faultChance, faultTimeScale: settings.faultTimeScale
                )
                readings.append(reading)
                if let started { faults.append(started) }
            }
            nextTimestampMs += settings.intervalMs
        }
        return (readings, faults)
    }
}
