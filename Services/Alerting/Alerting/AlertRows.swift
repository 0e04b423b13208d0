import Foundation
import GRDB
import PMProto

/// Alerts and their events in the database, inside a transaction. An alert's row holds the `Alert` as
/// the contract encodes it plus the columns queries filter on, always written together from it.
enum AlertRows {
    /// Inserts `alert` (id 0: it gets one) or updates it.
    static func save(_ alert: inout Alert, lastRaisedAtMs: Int64, in db: Database) throws {
        if alert.id == 0 {
            try db.execute(
                sql: """
                    INSERT INTO alerts (equipment_id, kind, severity, state, acknowledged, created_at_ms, last_raised_at_ms, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, x'')
                    """,
                arguments: [
                    alert.equipmentID, alert.kind, alert.severity.rawValue, alert.state.rawValue, alert.acknowledged, alert.createdAtMs,
                    lastRaisedAtMs,
                ])
            alert.id = db.lastInsertedRowID
        }
        try db.execute(
            sql: "UPDATE alerts SET severity = ?, state = ?, acknowledged = ?, last_raised_at_ms = ?, body = ? WHERE id = ?",
            arguments: [
                alert.severity.rawValue, alert.state.rawValue, alert.acknowledged, lastRaisedAtMs, Data(alert.serializedBytes()), alert.id,
            ])
    }

    /// Updates `alert` without touching its auto-resolve clock.
    static func update(_ alert: Alert, in db: Database) throws {
        try db.execute(
            sql: "UPDATE alerts SET severity = ?, state = ?, acknowledged = ?, body = ? WHERE id = ?",
            arguments: [alert.severity.rawValue, alert.state.rawValue, alert.acknowledged, Data(alert.serializedBytes()), alert.id])
    }

    static func fetch(id: Int64, in db: Database) throws -> Alert? {
        try fetchAll(db, sql: "SELECT body FROM alerts WHERE id = ?", arguments: [id]).first
    }

    /// The open or acknowledged alert of a machine and kind, if any.
    static func fetchUnresolved(equipmentID: Int64, kind: String, in db: Database) throws -> Alert? {
        try fetchAll(
            db, sql: "SELECT body FROM alerts WHERE equipment_id = ? AND kind = ? AND state != ?",
            arguments: [equipmentID, kind, AlertState.resolved.rawValue]
        ).first
    }

    /// Decodes the `body` column of each row `sql` selects.
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [Alert] {
        try Data.fetchAll(db, sql: sql, arguments: arguments).map { try Alert(serializedBytes: Array($0)) }
    }

    /// Appends `event` to the log; returns it with its sequence.
    static func append(_ event: AlertEvent, in db: Database) throws -> AlertEvent {
        var event = event
        try db.execute(sql: "INSERT INTO alert_events (alert_id, body) VALUES (?, x'')", arguments: [event.alert?.id ?? 0])
        event.sequence = UInt64(db.lastInsertedRowID)
        try db.execute(
            sql: "UPDATE alert_events SET body = ? WHERE sequence = ?", arguments: [Data(event.serializedBytes()), db.lastInsertedRowID])
        return event
    }

    /// The newest `limit` events of one alert, oldest first.
    static func newestEvents(alertID: Int64, limit: Int, in db: Database) throws -> [AlertEvent] {
        try Data.fetchAll(
            db, sql: "SELECT body FROM alert_events WHERE alert_id = ? ORDER BY sequence DESC LIMIT ?", arguments: [alertID, limit]
        ).reversed().map { try AlertEvent(serializedBytes: Array($0)) }
    }

    /// Events with a sequence above `after` and at most `upTo`, oldest first.
    static func events(after: UInt64, upTo: UInt64, limit: Int, in db: Database) throws -> [AlertEvent] {
        try Data.fetchAll(
            db, sql: "SELECT body FROM alert_events WHERE sequence > ? AND sequence <= ? ORDER BY sequence LIMIT ?",
            arguments: [Int64(clamping: after), Int64(clamping: upTo), limit]
        ).map { try AlertEvent(serializedBytes: Array($0)) }
    }
}
