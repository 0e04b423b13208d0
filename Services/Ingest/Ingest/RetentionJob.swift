import GRDB
import Logging
import ServiceKit

/// Deletes readings older than the retention age, in small chunks with pauses between them so that
/// ingest's writer never waits long for the database. Runs as a ``PeriodicJob``.
struct RetentionJob {
    static let chunkSize = 2_000

    let database: DatabasePool
    let retention: Duration
    let logger: Logger

    /// The job that runs a pass every `interval`.
    func periodically(every interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "retention", interval: interval, logger: logger) {
            let deleted = try await deleteExpired(nowMs: WallClock.nowMs())
            if deleted > 0 {
                logger.info("retention deleted old readings", metadata: ["ingest.deleted": "\(deleted)"])
            }
        }
    }

    /// Deletes every reading older than `nowMs - retention`; returns how many.
    func deleteExpired(nowMs: Int64) async throws -> Int {
        let cutoff = nowMs - Int64(retention.components.seconds) * 1000
        var total = 0
        while true {
            let deleted = try await database.write { db -> Int in
                try db.execute(
                    sql: """
                        DELETE FROM readings WHERE sequence IN
                        (SELECT sequence FROM readings WHERE timestamp_ms < ? ORDER BY timestamp_ms LIMIT \(Self.chunkSize))
                        """,
                    arguments: [cutoff]
                )
                let count = db.changesCount
                try db.execute(sql: "UPDATE counters SET value = value - ? WHERE name = 'readings'", arguments: [count])
                try MinuteTotals.forget(before: cutoff, in: db)
                return count
            }
            total += deleted
            if deleted < Self.chunkSize { return total }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
