import PMProto

/// The rules a reading must pass before it is stored; a failure names the field and the reason.
struct ReadingValidation: Sendable {
    struct Rejection: Error, Equatable {
        var field: String
        var reason: String
    }

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
                return Rejection(
                    field: "timestamp_ms", reason: "\(reading.timestampMs) is more than \(maxClockSkewMs / 1000) s in the future")
            }
        }
        for sensor in Sensor.all {
            let number = reading[keyPath: sensor.reading]
            guard number.isFinite else {
                return Rejection(field: sensor.name, reason: "\(number) is not a finite number")
            }
            let range = sensor.validRange
            guard range.contains(number) else {
                return Rejection(
                    field: sensor.name,
                    reason: "\(number) is outside the plausible range \(range.lowerBound)...\(range.upperBound) \(sensor.unit)")
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
