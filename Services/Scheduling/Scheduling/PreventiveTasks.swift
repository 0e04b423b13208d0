import GRDB
import PMProto

/// How preventive rules become tasks, inside a transaction: each machine a rule covers has at most one
/// open task from it. The first is due on the rule's first due date (today if that has passed); the
/// next one `interval_days` after the previous was completed, or, when it was cancelled or deleted,
/// after the date it had been scheduled for (not before today).
enum PreventiveTasks {
    /// Creates the rule's first task for a machine, unless the rule has made one for it before.
    static func startIfNew(_ rule: PreventiveRule, equipmentID: Int64, today: String, now: Int64, in db: Database) throws {
        guard try !TaskRows.hasAny(ruleID: rule.id, equipmentID: equipmentID, in: db) else { return }
        try insertTask(of: rule, equipmentID: equipmentID, date: max(rule.firstDueDate, today), now: now, in: db)
    }

    /// The rule's next task for the machine of `finished`, which is being completed, cancelled or deleted
    /// while open (in this transaction, so its row may still say open).
    static func scheduleNext(after finished: MaintenanceTask, today: String, now: Int64, in db: Database) throws {
        guard finished.ruleID > 0, let rule = try RuleRows.fetch(id: finished.ruleID, in: db),
            try !TaskRows.hasOpen(ruleID: rule.id, equipmentID: finished.equipmentID, besides: finished.id, in: db)
        else { return }
        let interval = Int(rule.intervalDays)
        let date =
            finished.status == .completed
            ? CalendarDay.adding(interval, to: today) : max(CalendarDay.adding(interval, to: finished.scheduledDate), today)
        try insertTask(of: rule, equipmentID: finished.equipmentID, date: date, now: now, in: db)
    }

    private static func insertTask(of rule: PreventiveRule, equipmentID: Int64, date: String, now: Int64, in db: Database) throws {
        var task = MaintenanceTask(
            equipmentID: equipmentID, task: rule.task, scheduledDate: date, priority: rule.priority, status: .pending, createdAtMs: now,
            updatedAtMs: now, source: "preventive", notes: "every \(rule.intervalDays) days (rule \(rule.id))", ruleID: rule.id)
        try TaskRows.save(&task, in: db)
    }
}
