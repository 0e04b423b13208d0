import GRDB
import PMProto

/// A row of the readings table as a `Reading`, read by column name. The sensor columns are named
/// after the sensors (`Sensor.all`); a new sensor's column arrives with a migration in `IngestDatabase`.
struct StoredReading: FetchableRecord {
    var reading: Reading

    /// The columns a query selects to build one.
    static let selection = (["sequence", "equipment_id", "timestamp_ms"] + Sensor.all.map(\.name) + ["reading_id"])
        .joined(separator: ", ")

    /// The writer's INSERT, one `?` per column, in the order of ``insertArguments(_:timestamp:)``.
    static let insertSQL: String = {
        let columns = ["equipment_id", "timestamp_ms"] + Sensor.all.map(\.name) + ["reading_id"]
        return """
            INSERT OR IGNORE INTO readings (\(columns.joined(separator: ", ")))
            VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            """
    }()

    static func insertArguments(_ reading: Reading, timestamp: Int64) -> StatementArguments {
        var values: [(any DatabaseValueConvertible)?] = [reading.equipmentID, timestamp]
        for sensor in Sensor.all { values.append(reading[keyPath: sensor.reading]) }
        values.append(reading.readingID.isEmpty ? nil : reading.readingID)
        return StatementArguments(values)
    }

    init(row: Row) throws {
        reading = Reading(
            equipmentID: row["equipment_id"], timestampMs: row["timestamp_ms"],
            sequence: UInt64(row["sequence"] as Int64), readingID: row["reading_id"] ?? ""
        )
        for sensor in Sensor.all { sensor.store(row[sensor.name], in: &reading) }
    }
}
