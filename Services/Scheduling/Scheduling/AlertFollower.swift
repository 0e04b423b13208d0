import GRDB
import Logging
import PMProto
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle

/// Follows Alerting's WatchAlerts from the last sequence it committed and turns alerts into tasks
/// (``AlertTasks``). Each event's tasks and the new cursor commit in one transaction, so a restart
/// neither misses an alert nor creates a task twice. While Alerting is unreachable it retries with
/// back-off.
struct AlertFollower: Service {
    static let cursor = "alerting.watch_alerts"

    let database: DatabasePool
    let alerting: AlertingServiceClient
    let tasks: AlertTasks
    let logger: Logger
    func run() async throws {
        try await ResumableFollow(
            name: "Alerting's alerts", logger: logger, committed: committedSequence, follow: follow(after:)
        ).run()
    }

    private func follow(after sequence: UInt64) async throws {
        try await alerting.watchAlerts(WatchAlertsRequest(afterSequence: sequence)) { stream in
            for try await event in stream { try await apply(event) }
        }
    }

    func apply(_ event: AlertEvent) async throws {
        let now = WallClock.nowMs()
        try await database.write { db in
            try tasks.apply(event, today: CalendarDay.of(ms: now), now: now, in: db)
            try db.execute(
                sql: "INSERT INTO cursors (name, sequence) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET sequence = excluded.sequence",
                arguments: [Self.cursor, Int64(clamping: event.sequence)])
        }
    }

    func committedSequence() async throws -> UInt64 {
        UInt64(
            try await database.read { db in
                try Int64.fetchOne(db, sql: "SELECT sequence FROM cursors WHERE name = ?", arguments: [Self.cursor])
            } ?? 0)
    }
}
