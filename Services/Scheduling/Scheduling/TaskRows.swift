import Foundation
import GRDB
import PMProto

/// Tasks in the database, inside a transaction: the encoded task plus the columns queries filter on,
/// always written together from it.
enum TaskRows {
    /// Inserts `task` (id 0: it gets one) or updates it.
    static func save(_ task: inout MaintenanceTask, idempotencyKey: String? = nil, in db: Database) throws {
        if task.id == 0 {
            try db.execute(
                sql: """
                    INSERT INTO tasks (equipment_id, scheduled_date, priority, status, idempotency_key, alert_id, alert_kind, rule_id, body)
                    VALUES (?, '', 0, 0, ?, ?, ?, ?, x'')
                    """,
                arguments: [task.equipmentID, idempotencyKey, task.alertID, task.alertKind, task.ruleID])
            task.id = db.lastInsertedRowID
        }
        try db.execute(
            sql: "UPDATE tasks SET scheduled_date = ?, priority = ?, status = ?, body = ? WHERE id = ?",
            arguments: [task.scheduledDate, task.priority.rawValue, task.status.rawValue, Data(task.serializedBytes()), task.id])
    }

    static func fetch(id: Int64, in db: Database) throws -> MaintenanceTask? {
        try fetchAll(db, sql: "SELECT body FROM tasks WHERE id = ?", arguments: [id]).first
    }

    static func fetch(idempotencyKey: String, in db: Database) throws -> MaintenanceTask? {
        try fetchAll(db, sql: "SELECT body FROM tasks WHERE idempotency_key = ?", arguments: [idempotencyKey]).first
    }

    /// The pending or in-progress task of a machine for an alert kind, if any.
    static func fetchOpen(equipmentID: Int64, alertKind: String, in db: Database) throws -> MaintenanceTask? {
        try fetchAll(
            db, sql: "SELECT body FROM tasks WHERE equipment_id = ? AND alert_kind = ? AND status IN (?, ?) ORDER BY id LIMIT 1",
            arguments: [equipmentID, alertKind, TaskStatus.pending.rawValue, TaskStatus.inProgress.rawValue]
        ).first
    }

    /// Whether a preventive rule has a pending or in-progress task for a machine, other than `taskID`.
    static func hasOpen(ruleID: Int64, equipmentID: Int64, besides taskID: Int64, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM tasks WHERE rule_id = ? AND equipment_id = ? AND status IN (?, ?) AND id != ? LIMIT 1",
            arguments: [ruleID, equipmentID, TaskStatus.pending.rawValue, TaskStatus.inProgress.rawValue, taskID]) ?? false
    }

    /// Whether a preventive rule has ever made a task for a machine.
    static func hasAny(ruleID: Int64, equipmentID: Int64, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM tasks WHERE rule_id = ? AND equipment_id = ? LIMIT 1", arguments: [ruleID, equipmentID])
            ?? false
    }

    /// Whether a machine has an in-progress task other than `taskID`.
    static func hasOtherInProgress(equipmentID: Int64, besides taskID: Int64, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM tasks WHERE equipment_id = ? AND status = ? AND id != ? LIMIT 1",
            arguments: [equipmentID, TaskStatus.inProgress.rawValue, taskID]) ?? false
    }

    /// Decodes the `body` column of each row `sql` selects.
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [MaintenanceTask] {
        try Data.fetchAll(db, sql: sql, arguments: arguments).map { try MaintenanceTask(serializedBytes: Array($0)) }
    }
}
