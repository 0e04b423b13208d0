import GRDB
import PMProto
import ServiceKit

/// Reading alerts back: filtered pages, one alert with its history, the dashboard's counts, the event log.
struct AlertQueries: Sendable {
    /// An alert's history holds its newest events, so that it fits one frame however often it repeated.
    static let maxHistory = 100
    /// Alerts per page; with the text limits of AlertValidation a full page stays under 3 MB.
    static let maxPage = 500

    let database: DatabasePool

    func list(_ request: ListAlertsRequest) async throws -> [Alert] {
        let limit = try RequestLimits.pageSize(request.limit, default: 100, maximum: Self.maxPage)
        try AlertValidation.timestamp(request.fromMs, field: "from_ms")
        try AlertValidation.timestamp(request.toMs, field: "to_ms")
        guard request.equipmentID >= 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must not be negative") }
        guard request.beforeID >= 0 else { throw ServiceError.invalidArgument(field: "before_id", reason: "must not be negative") }
        var conditions = ["1"]
        var arguments: StatementArguments = []
        func add(_ condition: String, _ value: some DatabaseValueConvertible) {
            conditions.append(condition)
            arguments += [value]
        }
        if let acknowledged = request.acknowledged { add("acknowledged = ?", acknowledged) }
        if request.state != .unspecified { add("state = ?", request.state.rawValue) }
        if request.minSeverity != .unspecified { add("severity >= ?", request.minSeverity.rawValue) }
        if request.equipmentID > 0 { add("equipment_id = ?", request.equipmentID) }
        if request.fromMs > 0 { add("created_at_ms >= ?", request.fromMs) }
        if request.toMs > 0 { add("created_at_ms < ?", request.toMs) }
        if !request.kind.isEmpty { add("kind = ?", request.kind) }
        if request.beforeID > 0 { add("id < ?", request.beforeID) }
        arguments += [limit]
        let sql = "SELECT body FROM alerts WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT ?"
        return try await database.read { [arguments] db in try AlertRows.fetchAll(db, sql: sql, arguments: arguments) }
    }

    func get(_ request: GetAlertRequest) async throws -> GetAlertResponse {
        guard request.alertID > 0 else { throw ServiceError.invalidArgument(field: "alert_id", reason: "must be positive") }
        return try await database.read { db in
            guard let alert = try AlertRows.fetch(id: request.alertID, in: db) else {
                throw ServiceError.notFound("alert \(request.alertID)")
            }
            let history = try AlertRows.newestEvents(alertID: alert.id, limit: Self.maxHistory, in: db)
            return GetAlertResponse(alert: alert, history: history)
        }
    }

    func stats() async throws -> AlertStatsResponse {
        try await database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS active, COALESCE(SUM(severity = ?), 0) AS critical, COALESCE(SUM(state = ?), 0) AS acknowledged
                    FROM alerts WHERE state != ?
                    """,
                arguments: [Severity.critical.rawValue, AlertState.acknowledged.rawValue, AlertState.resolved.rawValue])!
            return AlertStatsResponse(
                active: UInt32(clamping: row["active"] as Int64), criticalActive: UInt32(clamping: row["critical"] as Int64),
                acknowledged: UInt32(clamping: row["acknowledged"] as Int64))
        }
    }

    func events(after: UInt64, upTo: UInt64, limit: Int) async throws -> [AlertEvent] {
        try await database.read { db in try AlertRows.events(after: after, upTo: upTo, limit: limit, in: db) }
    }
}
