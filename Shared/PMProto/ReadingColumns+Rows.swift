/// A `ReadingColumns` whose columns do not all have one value per row.
public struct ReadingColumnsMismatch: Error, CustomStringConvertible {
    /// The proto name of the offending column, e.g. `columns.temperature`.
    public let field: String
    /// How many values the column has.
    public let count: Int
    /// How many rows the batch has (the length of `equipment_id`).
    public let rows: Int

    /// The mismatch in words, for the caller's INVALID_ARGUMENT message.
    public var description: String { "has \(count) values for \(rows) rows" }
}

extension ReadingColumns {
    /// The readings as columns.
    public init(_ readings: [Reading]) {
        self.init(
            equipmentID: readings.map(\.equipmentID),
            timestampMs: readings.map(\.timestampMs),
            sequence: readings.contains { $0.sequence != 0 } ? readings.map(\.sequence) : [],
            readingID: readings.contains { !$0.readingID.isEmpty } ? readings.map(\.readingID) : []
        )
        for sensor in Sensor.all {
            let value = sensor.reading
            self[keyPath: sensor.columns] = readings.map { $0[keyPath: value] }
        }
    }

    /// The rows as readings; throws when a column's length does not match the others.
    public func readings() throws -> [Reading] {
        let rows = equipmentID.count
        let required = [("timestamp_ms", timestampMs.count)] + Sensor.all.map { ($0.name, self[keyPath: $0.columns].count) }
        for (name, count) in required where count != rows {
            throw ReadingColumnsMismatch(field: "columns.\(name)", count: count, rows: rows)
        }
        for (name, count) in [("sequence", sequence.count), ("reading_id", readingID.count)] where count != 0 && count != rows {
            throw ReadingColumnsMismatch(field: "columns.\(name)", count: count, rows: rows)
        }
        var readings = (0..<rows).map { row in
            Reading(
                equipmentID: equipmentID[row], timestampMs: timestampMs[row],
                sequence: sequence.isEmpty ? 0 : sequence[row], readingID: readingID.isEmpty ? "" : readingID[row]
            )
        }
        // Column by column, straight into the rows' memory: the hot loop of every batch Ingest receives.
        readings.withUnsafeMutableBufferPointer { rows in
            for sensor in Sensor.all {
                let column = self[keyPath: sensor.columns]
                for row in rows.indices { sensor.store(column[row], at: rows.baseAddress! + row) }
            }
        }
        return readings
    }
}
