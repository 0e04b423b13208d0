import PMProto

/// The rules a reading must pass before it is stored; a failure names the field and the reason.
struct ReadingValidation: Sendable {
    struct Rejection: Error, Equatable {
        var field: String
        var reason: String
    }

    /// Physically plausible bounds per sensor; values outside are sensor faults or unit mistakes.
    static let ranges: [(field: String, value: @Sendable (Reading) -> Double, range: ClosedRange<Double>, unit: String)] = [
        ("temperature", { $0.temperature }, -100...1000, "°C"),
        ("vibration", { $0.vibration }, 0...1000, "mm/s"),
        ("pressure", { $0.pressure }, -110...100_000, "kPa gauge"),
        ("power_consumption", { $0.powerConsumption }, 0...100_000, "kW"),
        ("efficiency", { $0.efficiency }, 0...100, "%"),
    ]

    static let earliestTimestampMs: Int64 = 946_684_800_000  // 2000-01-01
    static let maxReadingIDLength = 128

    let isKnownEquipment: @Sendable (Int64) -> Bool
    let maxClockSkewMs: Int64

    func validate(_ reading: Reading, nowMs: Int64) -> Rejection? {
        guard isKnownEquipment(reading.equipmentID) else {
            return Rejection(field: "equipment_id", reason: "equipment \(reading.equipmentID) is not registered")
        }
        if reading.timestampMs != 0 {
            if reading.timestampMs < Self.earliestTimestampMs {
                return Rejection(field: "timestamp_ms", reason: "\(reading.timestampMs) is before 2000-01-01")
            }
            if reading.timestampMs > nowMs + maxClockSkewMs {
                return Rejection(field: "timestamp_ms", reason: "\(reading.timestampMs) is more than \(maxClockSkewMs / 1000) s in the future")
            }
        }
        for (field, value, range, unit) in Self.ranges {
            let number = value(reading)
            guard number.isFinite else {
                return Rejection(field: field, reason: "\(number) is not a finite number")
            }
            guard range.contains(number) else {
                return Rejection(field: field, reason: "\(number) is outside the plausible range \(range.lowerBound)...\(range.upperBound) \(unit)")
            }
        }
        if reading.readingID.utf8.count > Self.maxReadingIDLength {
            return Rejection(field: "reading_id", reason: "must be at most \(Self.maxReadingIDLength) bytes")
        }
        if reading.sequence != 0 {
            return Rejection(field: "sequence", reason: "is assigned by Ingest and must be 0")
        }
        return nil
    }
}
