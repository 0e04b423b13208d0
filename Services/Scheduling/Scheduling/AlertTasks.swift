import GRDB
import PMProto

/// What an alert event means for maintenance work. A new warning or critical alert (not silenced)
/// creates a task, unless its machine already has an open task for that kind of problem; an escalation
/// raises the open task's priority and, for critical, brings its date forward to today.
struct AlertTasks: Sendable {
    /// Days ahead a warning's task is scheduled, unless the alert predicts an earlier failure.
    let warningDays: Int

    func apply(_ event: AlertEvent, today: String, now: Int64, in db: Database) throws {
        guard let alert = event.alert, alert.severity == .warning || alert.severity == .critical else { return }
        switch event.kind {
        case .raised where !alert.silenced:
            guard try TaskRows.fetchOpen(equipmentID: alert.equipmentID, alertKind: alert.kind, in: db) == nil else { return }
            let key = "alert-\(alert.id)"
            guard try TaskRows.fetch(idempotencyKey: key, in: db) == nil else { return }
            var task = MaintenanceTask(
                equipmentID: alert.equipmentID, task: "Inspect: \(alert.title)", scheduledDate: date(for: alert, today: today),
                priority: Self.priority(for: alert.severity), status: .pending, createdAtMs: now, updatedAtMs: now, source: "alert",
                notes: alert.description, alertID: alert.id, alertKind: alert.kind)
            try TaskRows.save(&task, idempotencyKey: key, in: db)
        case .escalated:
            guard var task = try TaskRows.fetchOpen(equipmentID: alert.equipmentID, alertKind: alert.kind, in: db) else { return }
            let priority = Self.priority(for: alert.severity)
            guard priority.rawValue > task.priority.rawValue else { return }
            task.priority = priority
            if alert.severity == .critical, task.scheduledDate > today { task.scheduledDate = today }
            task.updatedAtMs = now
            try TaskRows.save(&task, in: db)
        default:
            return
        }
    }

    static func priority(for severity: Severity) -> Priority {
        severity == .critical ? .critical : .high
    }

    /// Critical: today. Warning: `warningDays` ahead, or the day before a predicted failure if that is
    /// sooner, never before today.
    func date(for alert: Alert, today: String) -> String {
        guard alert.severity == .warning, let todayMs = CalendarDay.milliseconds(of: today) else { return today }
        var target = todayMs + Int64(warningDays) * 86_400_000
        if alert.predictedFailureMs > 0 { target = min(target, alert.predictedFailureMs - 86_400_000) }
        return CalendarDay.of(ms: max(target, todayMs))
    }
}
