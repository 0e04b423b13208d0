import GRDB
import Logging
import Metrics
import PMProto
import PMRPC
import PMServices
import ServiceKit

/// Carries out the `task_effects` outbox (``TaskEffect``) in Ingest and Alerting: each task's effects
/// in the order they were written, an effect deleted only once every step of it succeeded. A failed
/// effect is retried with back-off and holds back the later effects of its task, never those of others.
struct TaskEffectWorker: Sendable {
    static let actor = "scheduling"
    /// How long a task's silence lasts if the task is never finished.
    static let maxSilence: Duration = .seconds(365 * 86_400)

    let database: DatabasePool
    let ingest: IngestServiceClient
    let alerting: AlertingServiceClient
    let logger: Logger
    let backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(60))

    /// A background service that checks for due effects every `interval`.
    func periodically(every interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "task effects", interval: interval, logger: logger) {
            while try await performDue(now: WallClock.nowMs()) > 0 {}
        }
    }

    private struct Pending {
        var id: Int64
        var taskID: Int64
        var equipmentID: Int64
        var alertID: Int64
        var effect: TaskEffect
        var onDate: String
        var attempts: Int
    }

    /// Attempts each due effect that is first in its task's queue; returns how many succeeded.
    func performDue(now: Int64) async throws -> Int {
        let (due, depth) = try await database.read { db -> ([Pending], Int) in
            let due = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM task_effects AS effect WHERE next_attempt_at_ms <= ?
                    AND NOT EXISTS (SELECT 1 FROM task_effects AS earlier WHERE earlier.task_id = effect.task_id AND earlier.id < effect.id)
                    ORDER BY id LIMIT 50
                    """,
                arguments: [now]
            ).map {
                Pending(
                    id: $0["id"], taskID: $0["task_id"], equipmentID: $0["equipment_id"], alertID: $0["alert_id"],
                    effect: TaskEffect(rawValue: $0["action"])!, onDate: $0["on_date"], attempts: $0["attempts"])
            }
            return (due, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM task_effects") ?? 0)
        }
        Gauge(label: "pm_outbox_depth", dimensions: [("queue", "scheduling_task_effects")]).record(depth)
        var done = 0
        for pending in due {
            do {
                try await perform(pending)
                try await database.write { db in try db.execute(sql: "DELETE FROM task_effects WHERE id = ?", arguments: [pending.id]) }
                done += 1
            } catch {
                try await recordFailure(of: pending, error: error)
            }
        }
        return done
    }

    private func perform(_ pending: Pending) async throws {
        let silenceKey = TaskEffect.silenceKey(taskID: pending.taskID)
        switch pending.effect {
        case .start:
            try await updateMachine(UpdateEquipmentRequest(equipmentID: pending.equipmentID, status: .maintenance))
            let now = WallClock.nowMs()
            let silence = Silence(
                equipmentID: pending.equipmentID, startsAtMs: now, endsAtMs: now + Self.maxSilence.wholeMilliseconds,
                reason: "maintenance task \(pending.taskID) in progress", createdBy: Self.actor, key: silenceKey)
            _ = try await alerting.createSilence(CreateSilenceRequest(silence: silence))
        case .complete:
            let busy = try await otherTaskInProgress(pending)
            try await updateMachine(
                UpdateEquipmentRequest(equipmentID: pending.equipmentID, lastMaintenance: pending.onDate, status: busy ? nil : .healthy))
            try await resolveAlert(pending)
            _ = try await alerting.deleteSilence(DeleteSilenceRequest(key: silenceKey))
        case .stop:
            if try await !otherTaskInProgress(pending),
                try await ingest.getEquipment(GetEquipmentRequest(equipmentID: pending.equipmentID)).equipment?.status == .maintenance
            {
                try await updateMachine(UpdateEquipmentRequest(equipmentID: pending.equipmentID, status: .healthy))
            }
            _ = try await alerting.deleteSilence(DeleteSilenceRequest(key: silenceKey))
        }
    }

    /// A machine Ingest no longer knows has nothing to update.
    private func updateMachine(_ request: UpdateEquipmentRequest) async throws {
        do {
            _ = try await ingest.updateEquipment(request)
        } catch let error as RPCError where error.code == .notFound {
            logger.warning("machine of a task is unknown to Ingest", metadata: ["equipment_id": "\(request.equipmentID)"])
        }
    }

    /// Resolves the alert the task came from; one already resolved (by a person, or auto-resolved) or
    /// gone is fine.
    private func resolveAlert(_ pending: Pending) async throws {
        guard pending.alertID > 0 else { return }
        do {
            _ = try await alerting.resolveAlert(
                ResolveAlertRequest(alertID: pending.alertID, by: Self.actor, note: "maintenance task \(pending.taskID) completed"))
        } catch let error as RPCError where error.code == .failedPrecondition || error.code == .notFound {
            return
        }
    }

    private func otherTaskInProgress(_ pending: Pending) async throws -> Bool {
        try await database.read { db in try TaskRows.hasOtherInProgress(equipmentID: pending.equipmentID, besides: pending.taskID, in: db) }
    }

    private func recordFailure(of pending: Pending, error: any Error) async throws {
        let now = WallClock.nowMs()
        try await database.write { db in
            try db.execute(
                sql: "UPDATE task_effects SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ? WHERE id = ?",
                arguments: ["\(error)", now + backoff.delay(forAttempt: pending.attempts).wholeMilliseconds, pending.id])
        }
        logger.warning(
            "a task's effect in Ingest or Alerting failed; retrying",
            metadata: ["task_id": "\(pending.taskID)", "effect": "\(pending.effect.rawValue)", "error": "\(error)"])
    }
}
