import GRDB
import PMProto
import ServiceKit

/// Silences: a machine (and optionally one kind) muted for a time. Muted alerts are recorded, not notified.
struct SilenceStore: Sendable {
    static let maxListed = 1000

    let database: DatabasePool

    /// Creates `silence` by `actor` (the caller's `pm-actor`, else its `created_by`), or returns the
    /// existing one with the same key (created false), so a retry by a caller such as Scheduling is safe.
    func create(_ request: Silence, by actor: String, now: Int64) async throws -> CreateSilenceResponse {
        var silence = request
        silence.createdBy = actor
        try Self.validate(silence)
        return try await database.write { [silence] db in
            if !silence.key.isEmpty, let existing = try SilenceRows.fetch(key: silence.key, in: db) {
                return CreateSilenceResponse(silence: existing, created: false)
            }
            var stored = silence
            stored.createdAtMs = now
            if stored.startsAtMs == 0 { stored.startsAtMs = now }
            try db.execute(
                sql: """
                    INSERT INTO silences (equipment_id, kind, starts_at_ms, ends_at_ms, reason, created_by, created_at_ms, key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    stored.equipmentID, stored.kind, stored.startsAtMs, stored.endsAtMs, stored.reason, stored.createdBy, now,
                    stored.key.isEmpty ? nil : stored.key,
                ])
            stored.id = db.lastInsertedRowID
            return CreateSilenceResponse(silence: stored, created: true)
        }
    }

    func list(_ request: ListSilencesRequest, now: Int64) async throws -> [Silence] {
        guard request.equipmentID >= 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must not be negative") }
        return try await database.read { db in
            var conditions = ["1"]
            var arguments: StatementArguments = []
            if request.equipmentID > 0 {
                conditions.append("equipment_id = ?")
                arguments += [request.equipmentID]
            }
            if !request.includeEnded {
                conditions.append("ends_at_ms > ?")
                arguments += [now]
            }
            return try SilenceRows.fetchAll(
                db, where: conditions.joined(separator: " AND ") + " ORDER BY id DESC LIMIT \(Self.maxListed)", arguments: arguments)
        }
    }

    /// Deletes by id or key; deleting a silence that does not exist succeeds with false.
    func delete(_ request: DeleteSilenceRequest) async throws -> Bool {
        guard request.silenceID > 0 || !request.key.isEmpty else {
            throw ServiceError.invalidArgument(field: "silence_id", reason: "give a silence id or a key")
        }
        return try await database.write { db in
            if request.silenceID > 0 {
                try db.execute(sql: "DELETE FROM silences WHERE id = ?", arguments: [request.silenceID])
            } else {
                try db.execute(sql: "DELETE FROM silences WHERE key = ?", arguments: [request.key])
            }
            return db.changesCount > 0
        }
    }

    static func validate(_ silence: Silence) throws(ServiceError) {
        guard silence.id == 0 else { throw .invalidArgument(field: "silence.id", reason: "is chosen by the service; leave it 0") }
        guard silence.equipmentID > 0 else { throw .invalidArgument(field: "silence.equipment_id", reason: "must be positive") }
        try AlertValidation.text(silence.kind, field: "silence.kind", maxLength: 100, required: false)
        try AlertValidation.timestamp(silence.startsAtMs, field: "silence.starts_at_ms")
        try AlertValidation.timestamp(silence.endsAtMs, field: "silence.ends_at_ms")
        guard silence.endsAtMs > silence.startsAtMs else {
            throw .invalidArgument(field: "silence.ends_at_ms", reason: "must be after starts_at_ms")
        }
        try AlertValidation.text(silence.reason, field: "silence.reason", maxLength: 1000)
        try AlertValidation.text(silence.createdBy, field: "silence.created_by", maxLength: 200)
        try AlertValidation.text(silence.key, field: "silence.key", maxLength: 200, required: false)
    }
}

/// Silences in the database, inside a transaction.
enum SilenceRows {
    /// Whether a silence covers the machine and kind at `time`.
    static func covers(equipmentID: Int64, kind: String, at time: Int64, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT 1 FROM silences
                WHERE equipment_id = ? AND (kind = '' OR kind = ?) AND starts_at_ms <= ? AND ends_at_ms > ? LIMIT 1
                """,
            arguments: [equipmentID, kind, time, time]) ?? false
    }

    static func fetch(key: String, in db: Database) throws -> Silence? {
        try fetchAll(db, where: "key = ?", arguments: [key]).first
    }

    static func fetchAll(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [Silence] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, equipment_id, kind, starts_at_ms, ends_at_ms, reason, created_by, created_at_ms, key
                FROM silences WHERE \(condition)
                """,
            arguments: arguments
        ).map { row in
            Silence(
                id: row["id"], equipmentID: row["equipment_id"], kind: row["kind"], startsAtMs: row["starts_at_ms"],
                endsAtMs: row["ends_at_ms"], reason: row["reason"], createdBy: row["created_by"], createdAtMs: row["created_at_ms"],
                key: row["key"] ?? "")
        }
    }
}
