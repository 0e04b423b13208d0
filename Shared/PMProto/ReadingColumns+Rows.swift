/// A `ReadingColumns` whose columns do not all have one value per row.
public struct ReadingColumnsMismatch: Error, CustomStringConvertible {
    /// The proto name of the offending column, e.g. `columns.temperature`.
    public let field: String
    public let count: Int
    public let rows: Int

    public var description: String { "has \(count) values for \(rows) rows" }
}

extension ReadingColumns {
    /// The readings as columns.
    public init(_ readings: [Reading]) {
        self.init(
            equipmentID: readings.map(\.equipmentID),
            timestampMs: readings.map(\.timestampMs),
            temperature: readings.map(\.temperature),
            vibration: readings.map(\.vibration),
            pressure: readings.map(\.pressure),
            powerConsumption: readings.map(\.powerConsumption),
            efficiency: readings.map(\.efficiency),
            sequence: readings.contains { $0.sequence != 0 } ? readings.map(\.sequence) : [],
            readingID: readings.contains { !$0.readingID.isEmpty } ? readings.map(\.readingID) : []
        )
    }

    /// The rows as readings; throws when a column's length does not match the others.
    public func readings() throws -> [Reading] {
        let rows = equipmentID.count
        let required: [(String, Int)] = [
            ("timestamp_ms", timestampMs.count), ("temperature", temperature.count), ("vibration", vibration.count),
            ("pressure", pressure.count), ("power_consumption", powerConsumption.count), ("efficiency", efficiency.count),
        ]
        for (name, count) in required where count != rows {
            throw ReadingColumnsMismatch(field: "columns.\(name)", count: count, rows: rows)
        }
        for (name, count) in [("sequence", sequence.count), ("reading_id", readingID.count)] where count != 0 && count != rows {
            throw ReadingColumnsMismatch(field: "columns.\(name)", count: count, rows: rows)
        }
        return (0..<rows).map { row in
            Reading(
                equipmentID: equipmentID[row], timestampMs: timestampMs[row], temperature: temperature[row],
                vibration: vibration[row], pressure: pressure[row], powerConsumption: powerConsumption[row],
                efficiency: efficiency[row], sequence: sequence.isEmpty ? 0 : sequence[row],
                readingID: readingID.isEmpty ? "" : readingID[row]
            )
        }
    }
}
