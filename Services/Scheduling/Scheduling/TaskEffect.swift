import GRDB
import PMProto

/// What a task's status change must do in the services that own the machine and the alert. The effect
/// is written to the `task_effects` outbox in the transaction of the change, so it cannot be lost, and
/// ``TaskEffectWorker`` carries it out, retrying until Ingest and Alerting have taken it. Every step is
/// safe to repeat.
enum TaskEffect: String {
    /// Work began: the machine's status becomes `maintenance` and its alerts are silenced (silence key
    /// `task-<id>`).
    case start
    /// Work done: the machine's `last_maintenance` becomes the completion date and its status healthy
    /// (unless another task on it is in progress), the alert the task came from is resolved, the silence
    /// lifted.
    case complete
    /// Work stopped unfinished (back to pending, cancelled, or deleted while in progress): the silence is
    /// lifted and a machine still in `maintenance` is healthy again, unless another task on it is in progress.
    case stop

    /// The effect of a task's status going from `before` to `after` (nil: the task was deleted), if any.
    static func of(from before: TaskStatus, to after: TaskStatus?) -> TaskEffect? {
        guard before != after else { return nil }
        switch after {
        case .inProgress: return .start
        case .completed: return .complete
        default: return before == .inProgress ? .stop : nil
        }
    }

    /// Queues the effect of `task` changing from `before` (and now having its new status, or deleted).
    static func enqueue(from before: TaskStatus, to after: TaskStatus?, of task: MaintenanceTask, now: Int64, in db: Database) throws {
        guard let effect = of(from: before, to: after) else { return }
        try db.execute(
            sql: """
                INSERT INTO task_effects (task_id, equipment_id, alert_id, action, on_date, created_at_ms, next_attempt_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                task.id, task.equipmentID, task.alertID, effect.rawValue,
                CalendarDay.of(ms: task.completedAtMs > 0 ? task.completedAtMs : now),
                now, now,
            ])
    }

    /// The key of the silence a task sets while in progress.
    static func silenceKey(taskID: Int64) -> String { "task-\(taskID)" }
}
