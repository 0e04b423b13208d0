import Foundation
import GRDB
import Logging
import Metrics
import PMProto
import PMRPC
import PMServices
import ServiceKit

/// Calls Detection must make to other services, written in the transaction that decided them and
/// retried with back-off until accepted: alerts to raise (keyed by event id, so an alert is queued
/// once) and machine statuses to set (keyed by machine: a newer status replaces one not yet sent).
struct Outbox: Sendable {
    enum Call {
        case raiseAlert(RaiseAlertRequest)
        case setStatus(UpdateEquipmentRequest)
    }

    let database: DatabasePool
    let ingest: IngestServiceClient
    let alerting: AlertingServiceClient
    let logger: Logger
    let backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(60))

    static func enqueue(_ call: Call, in db: Database) throws {
        switch call {
        case .raiseAlert(let request):
            try db.execute(
                sql: "INSERT OR IGNORE INTO outbox (key, method, body) VALUES (?, 'RaiseAlert', ?)",
                arguments: ["alert:\(request.eventID)", Data(request.serializedBytes())])
        case .setStatus(let request):
            try db.execute(
                sql: """
                    INSERT INTO outbox (key, method, body) VALUES (?, 'UpdateEquipment', ?)
                    ON CONFLICT(key) DO UPDATE SET body = excluded.body, attempts = 0, next_attempt_at_ms = 0, last_error = NULL
                    """,
                arguments: ["status:\(request.equipmentID)", Data(request.serializedBytes())])
        }
    }

    /// A background service that sends what is due every `interval`, and at once when `wakeup` is
    /// signalled (a scored batch queued calls): an alert reaches Alerting in milliseconds, not at the tick.
    func periodically(every interval: Duration, wakeup: Wakeup) -> PeriodicJob {
        PeriodicJob(name: "detection outbox", interval: interval, wakeup: wakeup, logger: logger) {
            while try await sendDue(now: WallClock.nowMs()) > 0 {}
        }
    }

    /// Sends each due call, oldest first; returns how many were accepted.
    func sendDue(now: Int64) async throws -> Int {
        let (due, depth) = try await database.read { db in
            let due = try Row.fetchAll(
                db, sql: "SELECT id, method, body, attempts FROM outbox WHERE next_attempt_at_ms <= ? ORDER BY id LIMIT 100",
                arguments: [now])
            return (due, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0)
        }
        Gauge(label: "pm_outbox_depth", dimensions: [("queue", "detection_outbox")]).record(depth)
        var sent = 0
        for row in due {
            let id: Int64 = row["id"]
            let body: Data = row["body"]
            do {
                try await send(method: row["method"], body: Array(body))
                sent += 1
                try await delete(id, body: body)
            } catch let error as RPCError where [.invalidArgument, .notFound, .failedPrecondition].contains(error.code) {
                // Refused for good: retrying cannot help, and must not hold back the rest.
                logger.error(
                    "a call Detection queued was refused; dropped", metadata: ["method": "\(row["method"] as String)", "error": "\(error)"])
                try await delete(id, body: body)
            } catch {
                let attempts: Int = row["attempts"]
                try await database.write { db in
                    try db.execute(
                        sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ? WHERE id = ? AND body = ?",
                        arguments: ["\(error)", WallClock.nowMs() + backoff.delay(forAttempt: attempts).wholeMilliseconds, id, body])
                }
                logger.warning(
                    "a call Detection queued failed; retrying", metadata: ["method": "\(row["method"] as String)", "error": "\(error)"])
            }
        }
        return sent
    }

    private func send(method: String, body: [UInt8]) async throws {
        switch method {
        case "RaiseAlert":
            _ = try await alerting.raiseAlert(try RaiseAlertRequest(serializedBytes: body))
        default:
            let request = try UpdateEquipmentRequest(serializedBytes: body)
            // A machine under maintenance keeps that status: Scheduling gives it back when the work ends.
            let current = try await ingest.getEquipment(GetEquipmentRequest(equipmentID: request.equipmentID)).equipment?.status
            if current != .maintenance, current != request.status { _ = try await ingest.updateEquipment(request) }
        }
    }

    /// Deletes the row only if it still holds what was sent: a status replaced meanwhile is sent next.
    private func delete(_ id: Int64, body: Data) async throws {
        try await database.write { db in try db.execute(sql: "DELETE FROM outbox WHERE id = ? AND body = ?", arguments: [id, body]) }
    }
}
