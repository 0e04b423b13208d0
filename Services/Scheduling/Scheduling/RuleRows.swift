import Foundation
import GRDB
import PMProto

/// Preventive rules in the database, inside a transaction: the encoded rule plus the columns queries
/// filter on.
enum RuleRows {
    /// Inserts `rule`, which gets its id.
    static func insert(_ rule: inout PreventiveRule, idempotencyKey: String?, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO preventive_rules (equipment_id, equipment_type, idempotency_key, body) VALUES (?, ?, ?, x'')",
            arguments: [rule.equipmentID, rule.equipmentType, idempotencyKey])
        rule.id = db.lastInsertedRowID
        try db.execute(sql: "UPDATE preventive_rules SET body = ? WHERE id = ?", arguments: [Data(rule.serializedBytes()), rule.id])
    }

    static func fetch(id: Int64, in db: Database) throws -> PreventiveRule? {
        try fetchAll(db, where: "id = ?", arguments: [id]).first
    }

    static func fetch(idempotencyKey: String, in db: Database) throws -> PreventiveRule? {
        try fetchAll(db, where: "idempotency_key = ?", arguments: [idempotencyKey]).first
    }

    /// The rules matching `condition`, oldest first.
    static func fetchAll(_ db: Database, where condition: String = "1", arguments: StatementArguments = []) throws -> [PreventiveRule] {
        try Data.fetchAll(db, sql: "SELECT body FROM preventive_rules WHERE \(condition) ORDER BY id", arguments: arguments).map {
            try PreventiveRule(serializedBytes: Array($0))
        }
    }
}
