import GRDB
import Logging
import PMProto
import ServiceKit

/// Makes the first task of each preventive rule for each machine it covers: a rule for one machine, or
/// for every machine of a type that Ingest lists (so machines registered later are covered on the next
/// pass). Later tasks follow from finished ones (``PreventiveTasks/scheduleNext(after:today:now:in:)``).
struct PreventiveScheduler: Sendable {
    let database: DatabasePool
    let machines: MachineDirectory
    let logger: Logger

    /// A background service that passes over every rule now and then every `interval`.
    func periodically(every interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "preventive rules", interval: interval, logger: logger) {
            try await scheduleAll(now: WallClock.nowMs())
        }
    }

    func scheduleAll(now: Int64) async throws {
        for rule in try await database.read({ db in try RuleRows.fetchAll(db) }) {
            try await schedule(rule, now: now)
        }
    }

    func schedule(_ rule: PreventiveRule, now: Int64) async throws {
        let ids = rule.equipmentID > 0 ? [rule.equipmentID] : try await machines.ids(ofType: rule.equipmentType)
        try await database.write { db in
            // A rule deleted meanwhile makes nothing.
            guard try RuleRows.fetch(id: rule.id, in: db) != nil else { return }
            for id in ids {
                try PreventiveTasks.startIfNew(rule, equipmentID: id, today: CalendarDay.of(ms: now), now: now, in: db)
            }
        }
    }
}
