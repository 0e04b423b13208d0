import GRDB
import PMProto
import PMRPC
import PMServices
import ServiceKit

/// Maintenance tasks: created (idempotently, for machines Ingest knows), read, listed in date order,
/// changed, moved through their statuses, deleted, counted. A status change or deletion queues its
/// effect in Ingest and Alerting (``TaskEffect``) and, for a task from a preventive rule, the rule's next
/// task, in its own transaction.
struct TaskStore: Sendable {
    static let defaultLimit = 100
    /// Tasks per page; with the text limits of TaskValidation a full page stays under 3 MB.
    static let maxLimit = 500
    /// Which status may follow which; completed and cancelled are final.
    static let transitions: [TaskStatus: Set<TaskStatus>] = [
        .pending: [.inProgress, .completed, .cancelled],
        .inProgress: [.pending, .completed, .cancelled],
    ]

    let database: DatabasePool
    let machines: MachineDirectory

    /// Creates a task by `actor` (the caller's `pm-actor`; empty for the service's own tasks).
    func create(_ request: CreateTaskRequest, by actor: String, now: Int64) async throws -> MaintenanceTask {
        try TaskValidation.validate(request)
        if !request.idempotencyKey.isEmpty,
            let existing = try await database.read({ db in try TaskRows.fetch(idempotencyKey: request.idempotencyKey, in: db) })
        {
            return existing
        }
        try await machines.requireKnown(request.equipmentID, field: "equipment_id")
        return try await database.write { db in
            // Checked again inside the transaction: two concurrent creations with one key make one task.
            if !request.idempotencyKey.isEmpty, let existing = try TaskRows.fetch(idempotencyKey: request.idempotencyKey, in: db) {
                return existing
            }
            var task = MaintenanceTask(
                equipmentID: request.equipmentID, task: request.task, scheduledDate: request.scheduledDate,
                priority: request.priority == .unspecified ? .medium : request.priority, status: .pending, createdAtMs: now,
                updatedAtMs: now,
                source: request.source.isEmpty ? "manual" : request.source, predictionID: request.predictionID, notes: request.notes,
                alertID: request.alertID, createdBy: actor)
            try TaskRows.save(&task, idempotencyKey: request.idempotencyKey.isEmpty ? nil : request.idempotencyKey, in: db)
            return task
        }
    }

    func get(_ id: Int64) async throws -> MaintenanceTask {
        guard id > 0 else { throw ServiceError.invalidArgument(field: "task_id", reason: "must be positive") }
        guard let task = try await database.read({ db in try TaskRows.fetch(id: id, in: db) }) else {
            throw ServiceError.notFound("task \(id)")
        }
        return task
    }

    func list(_ request: ListTasksRequest) async throws -> ListTasksResponse {
        let limit = try RequestLimits.pageSize(request.limit, default: Self.defaultLimit, maximum: Self.maxLimit)
        guard request.equipmentID >= 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must not be negative") }
        try TaskValidation.priority(request.priority)
        if !request.fromDate.isEmpty { try TaskValidation.date(request.fromDate, field: "from_date") }
        if !request.toDate.isEmpty { try TaskValidation.date(request.toDate, field: "to_date") }
        var conditions = ["1"]
        var arguments: StatementArguments = []
        func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
            conditions.append(condition)
            arguments += StatementArguments(values)
        }
        if request.equipmentID > 0 { add("equipment_id = ?", [request.equipmentID]) }
        if request.status != .unspecified { add("status = ?", [request.status.rawValue]) }
        if request.priority != .unspecified { add("priority = ?", [request.priority.rawValue]) }
        if !request.fromDate.isEmpty { add("scheduled_date >= ?", [request.fromDate]) }
        if !request.toDate.isEmpty { add("scheduled_date <= ?", [request.toDate]) }
        if !request.pageToken.isEmpty {
            let (date, id) = try PageToken.decode(request.pageToken)
            add("(scheduled_date > ? OR (scheduled_date = ? AND id > ?))", [date, date, id])
        }
        let sql = "SELECT body FROM tasks WHERE \(conditions.joined(separator: " AND ")) ORDER BY scheduled_date, id LIMIT \(limit + 1)"
        let tasks = try await database.read { [arguments] db in try TaskRows.fetchAll(db, sql: sql, arguments: arguments) }
        let page = Array(tasks.prefix(limit))
        let next = tasks.count > limit ? PageToken.encode(date: page.last!.scheduledDate, id: page.last!.id) : ""
        return ListTasksResponse(tasks: page, nextPageToken: next)
    }

    func update(_ request: UpdateTaskRequest, now: Int64) async throws -> MaintenanceTask {
        if let date = request.scheduledDate { try TaskValidation.date(date, field: "scheduled_date") }
        try TaskValidation.priority(request.priority)
        if let notes = request.notes {
            try TaskValidation.text(notes, field: "notes", maxLength: TaskValidation.maxNotesBytes, required: false)
        }
        return try await change(request.taskID, now: now) { task, _ in
            guard Self.isOpen(task.status) else {
                throw ServiceError.failedPrecondition("task \(task.id) is \(task.status.shortName ?? "final"); it can no longer be changed")
            }
            if let date = request.scheduledDate { task.scheduledDate = date }
            if request.priority != .unspecified { task.priority = request.priority }
            if let notes = request.notes { task.notes = notes }
        }
    }

    /// Moves a task to the requested status, recording `actor` as who started, completed or cancelled it.
    func updateStatus(_ request: UpdateTaskStatusRequest, by actor: String, now: Int64) async throws -> MaintenanceTask {
        guard Self.transitions.keys.contains(request.status) || [.completed, .cancelled].contains(request.status) else {
            throw ServiceError.invalidArgument(field: "status", reason: "must be pending, in_progress, completed or cancelled")
        }
        try TaskValidation.text(request.note, field: "note", maxLength: TaskValidation.maxNotesBytes, required: false)
        return try await change(request.taskID, now: now) { task, db in
            guard task.status != request.status else { return }  // a retry: nothing to do
            let before = task.status
            guard Self.transitions[task.status]?.contains(request.status) == true else {
                throw ServiceError.failedPrecondition(
                    "task \(task.id) is \(task.status.shortName ?? "?"); it cannot become \(request.status.shortName ?? "?")")
            }
            task.status = request.status
            switch request.status {
            case .inProgress: task.startedBy = actor
            case .completed: (task.completedAtMs, task.completedBy) = (now, actor)
            case .cancelled: task.cancelledBy = actor
            default: break
            }
            if !request.note.isEmpty {
                let notes = task.notes.isEmpty ? request.note : task.notes + "\n" + request.note
                // Notes grow with each status change; they stay within the same bound as when set directly.
                try TaskValidation.text(notes, field: "note", maxLength: TaskValidation.maxNotesBytes, required: false)
                task.notes = notes
            }
            try TaskEffect.enqueue(from: before, to: task.status, of: task, now: now, in: db)
            if !Self.isOpen(task.status) { try PreventiveTasks.scheduleNext(after: task, today: CalendarDay.of(ms: now), now: now, in: db) }
        }
    }

    /// Deleting a task in progress stops its work (``TaskEffect/stop``); deleting an open task from a
    /// rule skips to the rule's next one.
    func delete(_ id: Int64, now: Int64) async throws {
        guard id > 0 else { throw ServiceError.invalidArgument(field: "task_id", reason: "must be positive") }
        try await database.write { db in
            guard let task = try TaskRows.fetch(id: id, in: db) else { throw ServiceError.notFound("task \(id)") }
            try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [id])
            try TaskEffect.enqueue(from: task.status, to: nil, of: task, now: now, in: db)
            if Self.isOpen(task.status) { try PreventiveTasks.scheduleNext(after: task, today: CalendarDay.of(ms: now), now: now, in: db) }
        }
    }

    /// Pending or in progress: not yet completed or cancelled.
    static func isOpen(_ status: TaskStatus) -> Bool { transitions[status] != nil }

    func stats(today: String) async throws -> ScheduleStatsResponse {
        try TaskValidation.date(today, field: "today")
        return try await database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(status = ?), 0) AS pending, COALESCE(SUM(status = ?), 0) AS in_progress,
                        COALESCE(SUM(status IN (?, ?) AND scheduled_date < ?), 0) AS overdue, COALESCE(SUM(status = ?), 0) AS completed
                    FROM tasks
                    """,
                arguments: [
                    TaskStatus.pending.rawValue, TaskStatus.inProgress.rawValue, TaskStatus.pending.rawValue,
                    TaskStatus.inProgress.rawValue,
                    today, TaskStatus.completed.rawValue,
                ])!
            return ScheduleStatsResponse(
                pending: UInt32(clamping: row["pending"] as Int64), inProgress: UInt32(clamping: row["in_progress"] as Int64),
                overdue: UInt32(clamping: row["overdue"] as Int64), completed: UInt32(clamping: row["completed"] as Int64))
        }
    }

    /// Loads the task, lets `apply` check and change it (and write what follows from the change), and
    /// saves it, all in one transaction.
    private func change(_ id: Int64, now: Int64, apply: @escaping @Sendable (inout MaintenanceTask, Database) throws -> Void) async throws
        -> MaintenanceTask
    {
        guard id > 0 else { throw ServiceError.invalidArgument(field: "task_id", reason: "must be positive") }
        return try await database.write { db in
            guard var task = try TaskRows.fetch(id: id, in: db) else { throw ServiceError.notFound("task \(id)") }
            let before = task
            try apply(&task, db)
            guard task != before else { return task }
            task.updatedAtMs = now
            try TaskRows.save(&task, in: db)
            return task
        }
    }
}

/// The position after which the next page of ListTasks starts: the last task's date and id.
enum PageToken {
    static func encode(date: String, id: Int64) -> String { "\(date)|\(id)" }

    static func decode(_ token: String) throws(ServiceError) -> (date: String, id: Int64) {
        let parts = token.split(separator: "|")
        guard parts.count == 2, let id = Int64(parts[1]), id > 0 else {
            throw .invalidArgument(field: "page_token", reason: "is not a token this service gave out")
        }
        try TaskValidation.date(String(parts[0]), field: "page_token")
        return (String(parts[0]), id)
    }
}
