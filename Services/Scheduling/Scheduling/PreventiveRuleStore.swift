import GRDB
import Logging
import PMProto
import ServiceKit

/// Preventive rules: created (idempotently, for a machine Ingest knows or a machine type), listed,
/// deleted. A new rule's first tasks are made at once; ``PreventiveScheduler`` catches up on whatever
/// that could not do (Ingest unreachable) and on machines of the type registered later.
struct PreventiveRuleStore: Sendable {
    static let maxIntervalDays: UInt32 = 3650

    let database: DatabasePool
    let machines: MachineDirectory
    let scheduler: PreventiveScheduler
    let logger: Logger

    /// Creates a rule by `actor` (the caller's `pm-actor`, else the rule's `created_by`).
    func create(_ request: CreatePreventiveRuleRequest, by actor: String, now: Int64) async throws -> PreventiveRule {
        var rule = request.rule ?? PreventiveRule()
        rule.createdBy = actor
        try Self.validate(rule, idempotencyKey: request.idempotencyKey)
        let key = request.idempotencyKey.isEmpty ? nil : request.idempotencyKey
        if let key, let existing = try await database.read({ db in try RuleRows.fetch(idempotencyKey: key, in: db) }) {
            return existing
        }
        if rule.equipmentID > 0 { try await machines.requireKnown(rule.equipmentID, field: "rule.equipment_id") }
        if rule.priority == .unspecified { rule.priority = .medium }
        if rule.firstDueDate.isEmpty { rule.firstDueDate = CalendarDay.of(ms: now) }
        rule.createdAtMs = now
        let created = try await database.write { [rule] db in
            // Checked again inside the transaction: two concurrent creations with one key make one rule.
            if let key, let existing = try RuleRows.fetch(idempotencyKey: key, in: db) { return existing }
            var stored = rule
            try RuleRows.insert(&stored, idempotencyKey: key, in: db)
            return stored
        }
        do {
            try await scheduler.schedule(created, now: now)
        } catch {
            logger.warning("a new rule's first tasks wait for the next pass", metadata: ["rule_id": "\(created.id)", "error": "\(error)"])
        }
        return created
    }

    func list(_ request: ListPreventiveRulesRequest) async throws -> [PreventiveRule] {
        guard request.equipmentID >= 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must not be negative") }
        try RequestLimits.text(request.equipmentType, field: "equipment_type", maxBytes: 100, required: false)
        var conditions = ["1"]
        var arguments: StatementArguments = []
        if request.equipmentID > 0 {
            conditions.append("equipment_id = ?")
            arguments += [request.equipmentID]
        }
        if !request.equipmentType.isEmpty {
            conditions.append("equipment_type = ?")
            arguments += [request.equipmentType]
        }
        let condition = conditions.joined(separator: " AND ")
        return try await database.read { [arguments] db in try RuleRows.fetchAll(db, where: condition, arguments: arguments) }
    }

    /// Deletes the rule; its tasks stay. Deleting a rule that does not exist succeeds with false.
    func delete(_ id: Int64) async throws -> Bool {
        guard id > 0 else { throw ServiceError.invalidArgument(field: "rule_id", reason: "must be positive") }
        return try await database.write { db in
            try db.execute(sql: "DELETE FROM preventive_rules WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    static func validate(_ rule: PreventiveRule, idempotencyKey: String) throws(ServiceError) {
        guard rule.id == 0 else { throw .invalidArgument(field: "rule.id", reason: "is chosen by the service; leave it 0") }
        guard rule.equipmentID >= 0 else { throw .invalidArgument(field: "rule.equipment_id", reason: "must not be negative") }
        try RequestLimits.text(rule.equipmentType, field: "rule.equipment_type", maxBytes: 100, required: false)
        guard (rule.equipmentID > 0) != !rule.equipmentType.allSatisfy(\.isWhitespace) else {
            throw .invalidArgument(field: "rule.equipment_id", reason: "give either a machine or a machine type (equipment_type)")
        }
        try RequestLimits.text(rule.task, field: "rule.task", maxBytes: 500)
        guard (1...maxIntervalDays).contains(rule.intervalDays) else {
            throw .invalidArgument(field: "rule.interval_days", reason: "must be 1 to \(maxIntervalDays)")
        }
        try TaskValidation.priority(rule.priority, field: "rule.priority")
        if !rule.firstDueDate.isEmpty { try TaskValidation.date(rule.firstDueDate, field: "rule.first_due_date") }
        try RequestLimits.text(rule.createdBy, field: "rule.created_by", maxBytes: 200, required: false)
        guard rule.createdAtMs == 0 else {
            throw .invalidArgument(field: "rule.created_at_ms", reason: "is set by the service; leave it 0")
        }
        try RequestLimits.text(idempotencyKey, field: "idempotency_key", maxBytes: 200, required: false)
    }
}
