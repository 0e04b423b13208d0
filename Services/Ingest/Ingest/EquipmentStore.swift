import Foundation
import GRDB
import PMProto
import ServiceKit
import Synchronization

/// The equipment registry. Keeps the set of known ids in memory, since every reading is checked against it.
final class EquipmentStore: Sendable {
    private let database: DatabasePool
    private let knownIDs: Mutex<Set<Int64>>

    init(database: DatabasePool) throws {
        self.database = database
        let ids = try database.read { db in try Int64.fetchSet(db, sql: "SELECT id FROM equipment") }
        self.knownIDs = Mutex(ids)
    }

    func isKnown(_ id: Int64) -> Bool {
        knownIDs.withLock { $0.contains(id) }
    }

    /// Every registered id, ascending.
    var allIDs: [Int64] {
        knownIDs.withLock { $0.sorted() }
    }

    func register(_ equipment: Equipment, now: Int64) async throws -> Equipment {
        var equipment = equipment
        try EquipmentValidation.validateNew(&equipment)
        equipment.createdAtMs = now
        equipment.updatedAtMs = now
        let stored = try await database.write { [equipment] db -> Equipment in
            var equipment = equipment
            if equipment.id != 0, try Bool.fetchOne(db, sql: "SELECT 1 FROM equipment WHERE id = ?", arguments: [equipment.id]) == true {
                throw ServiceError.alreadyExists("equipment \(equipment.id)")
            }
            try db.execute(
                sql: """
                    INSERT INTO equipment (id, name, type, location, install_date, last_maintenance, status, created_at_ms, updated_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    equipment.id == 0 ? nil : equipment.id, equipment.name, equipment.type, equipment.location,
                    equipment.installDate, equipment.lastMaintenance, equipment.status.rawValue, now, now,
                ]
            )
            equipment.id = db.lastInsertedRowID
            return equipment
        }
        _ = knownIDs.withLock { $0.insert(stored.id) }
        return stored
    }

    func get(_ id: Int64) async throws -> Equipment {
        guard
            let equipment = try await database.read({ db in
                try Row.fetchOne(db, sql: "SELECT * FROM equipment WHERE id = ?", arguments: [id]).map(Self.equipment)
            })
        else {
            throw ServiceError.notFound("equipment \(id)")
        }
        return equipment
    }

    func list(_ request: ListEquipmentRequest) async throws -> [Equipment] {
        var conditions = ["id > ?"]
        var arguments: StatementArguments = [request.afterID]
        if request.status != .unspecified {
            conditions.append("status = ?")
            arguments += [request.status.rawValue]
        }
        if !request.type.isEmpty {
            conditions.append("type = ?")
            arguments += [request.type]
        }
        guard request.limit <= 1000 else {
            throw ServiceError.invalidArgument(field: "limit", reason: "must be at most 1000; page on with after_id")
        }
        let limit = request.limit == 0 ? 100 : Int(request.limit)
        let sql = "SELECT * FROM equipment WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT \(limit)"
        return try await database.read { [arguments] db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.equipment) }
    }

    func update(_ request: UpdateEquipmentRequest, now: Int64) async throws -> Equipment {
        let changes = try EquipmentValidation.validateUpdate(request)
        return try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM equipment WHERE id = ?", arguments: [request.equipmentID]) else {
                throw ServiceError.notFound("equipment \(request.equipmentID)")
            }
            var equipment = Self.equipment(row)
            changes(&equipment)
            equipment.updatedAtMs = now
            try db.execute(
                sql: """
                    UPDATE equipment SET name = ?, type = ?, location = ?, install_date = ?, last_maintenance = ?,
                    status = ?, updated_at_ms = ? WHERE id = ?
                    """,
                arguments: [
                    equipment.name, equipment.type, equipment.location, equipment.installDate,
                    equipment.lastMaintenance, equipment.status.rawValue, now, equipment.id,
                ]
            )
            return equipment
        }
    }

    /// How many machines there are, and how many in each status that has any.
    func stats() async throws -> EquipmentStatsResponse {
        try await database.read { db in
            let counts = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS count FROM equipment GROUP BY status ORDER BY status").map {
                EquipmentStatusCount(status: EquipmentStatus(rawValue: $0["status"]), count: UInt32(clamping: $0["count"] as Int64))
            }
            return EquipmentStatsResponse(total: counts.reduce(0) { $0 + $1.count }, byStatus: counts)
        }
    }

    static func equipment(_ row: Row) -> Equipment {
        Equipment(
            id: row["id"], name: row["name"], type: row["type"], location: row["location"],
            installDate: row["install_date"], lastMaintenance: row["last_maintenance"],
            status: EquipmentStatus(rawValue: row["status"]), createdAtMs: row["created_at_ms"], updatedAtMs: row["updated_at_ms"]
        )
    }
}
