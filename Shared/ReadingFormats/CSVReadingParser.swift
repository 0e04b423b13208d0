import Foundation
import PMMath
import PMProto

/// Turns a CSV history file into readings for one machine: the header names the columns, the delimiter
/// (`,` or `;`) is detected, sensor columns can be mapped from other names (`temperature=Temperature`) or
/// fixed to a constant, and timestamps may be ISO 8601, `YYYY-MM-DD HH:MM:SS` (UTC) or Unix seconds/ms.
public struct CSVReadingParser: Sendable {
    /// A line that could not be read, with its 1-based line number.
    public struct LineError: Error, CustomStringConvertible {
        /// The 1-based line number (the header is line 1).
        public let line: Int
        /// What is wrong with it.
        public let reason: String
        /// `line N: reason`.
        public var description: String { "line \(line): \(reason)" }
    }

    let equipmentID: Int64?
    let columnForSensor: [String: String]
    let constants: [String: Double]

    /// `columns` maps a sensor (or `timestamp`, `equipment_id`, `reading_id`) to a CSV column name.
    public init(equipmentID: Int64?, columns: [String: String] = [:], constants: [String: Double] = [:]) {
        self.equipmentID = equipmentID
        self.columnForSensor = columns
        self.constants = constants
    }

    /// The readings of `text`, header first; throws ``LineError`` for the first line that cannot be read.
    public func parse(_ text: String) throws -> [Reading] {
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = lines.removeFirst().trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}"))
        let delimiter: Character = header.contains(";") ? ";" : ","
        let names = Self.fields(header, delimiter)
        func index(of field: String, required: Bool) throws -> Int? {
            let name = columnForSensor[field] ?? field
            if let index = names.firstIndex(of: name) { return index }
            if required { throw LineError(line: 1, reason: "no column '\(name)' for \(field) (columns: \(names.joined(separator: ", ")))") }
            return nil
        }
        let timestampColumn = try index(of: "timestamp", required: false) ?? index(of: "datetime", required: true)!
        let equipmentColumn = try index(of: "equipment_id", required: equipmentID == nil)
        let readingIDColumn = try index(of: "reading_id", required: false)
        let sensorColumns = try Sensor.all.map { sensor in
            constants[sensor.name] == nil ? try index(of: sensor.name, required: true) : nil
        }

        return try lines.enumerated().map { offset, line in
            let lineNumber = offset + 2
            let fields = Self.fields(line, delimiter)
            func field(_ column: Int) throws -> String {
                guard column < fields.count else {
                    throw LineError(line: lineNumber, reason: "has \(fields.count) fields, expected \(names.count)")
                }
                return fields[column]
            }
            func number(_ column: Int, _ name: String) throws -> Double {
                guard let value = Double(try field(column)) else {
                    throw LineError(line: lineNumber, reason: "\(name) '\(try field(column))' is not a number")
                }
                return value
            }
            guard let timestamp = Self.timestampMs(try field(timestampColumn)) else {
                throw LineError(line: lineNumber, reason: "timestamp '\(try field(timestampColumn))' is not a date")
            }
            let equipment =
                try equipmentColumn.map { column -> Int64 in
                    guard let id = Int64(try field(column)) else {
                        throw LineError(line: lineNumber, reason: "equipment_id is not an integer")
                    }
                    return id
                } ?? equipmentID!
            var reading = Reading(
                equipmentID: equipmentID ?? equipment, timestampMs: timestamp, readingID: try readingIDColumn.map(field) ?? "")
            for (sensor, column) in zip(Sensor.all, sensorColumns) {
                reading[keyPath: sensor.reading] = try column.map { try number($0, sensor.name) } ?? constants[sensor.name]!
            }
            return reading
        }
    }

    static func fields(_ line: String, _ delimiter: Character) -> [String] {
        line.split(separator: delimiter, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
    }

    static func timestampMs(_ text: String) -> Int64? {
        if let number = Double(text) {
            // Seconds or milliseconds; anything beyond year 9999 (or NaN) is not a time, and must not trap.
            let ms = number > 100_000_000_000 ? number : number * 1000
            guard ms.isFinite, abs(ms) < 253_402_300_800_000 else { return nil }
            return Int64(ms)
        }
        if let ms = UTCTimestamp.milliseconds(of: text) { return ms }
        let iso = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            iso.formatOptions = options
            if let date = iso.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        let plain = DateFormatter()
        plain.locale = Locale(identifier: "en_US_POSIX")
        plain.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"] {
            plain.dateFormat = format
            if let date = plain.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        return nil
    }
}
