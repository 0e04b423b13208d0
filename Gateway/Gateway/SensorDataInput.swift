import PMProto

/// One reading as clients post it (the seed's body, plus an optional time and idempotency key).
struct SensorDataInput: Decodable {
    var equipmentId: Int64
    var temperature: Double
    var vibration: Double
    var pressure: Double
    var powerConsumption: Double
    var efficiency: Double
    var timestamp: TimestampInput?
    var readingId: String?

    /// The reading Ingest records; without a time, Ingest stamps it (0).
    var reading: Reading {
        Reading(
            equipmentID: equipmentId, timestampMs: timestamp?.ms ?? 0, temperature: temperature, vibration: vibration,
            pressure: pressure, powerConsumption: powerConsumption, efficiency: efficiency, readingID: readingId ?? "")
    }
}
