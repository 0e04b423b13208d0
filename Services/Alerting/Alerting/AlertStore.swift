import GRDB
import Metrics
import PMProto
import ServiceKit

/// Every change to alerts: raising (idempotent, deduplicated, escalating), acknowledging, resolving.
/// Each change commits with its events and the webhook notifications it owes, in one transaction.
final class AlertStore: Sendable {
    static let autoResolver = "auto-resolve"
    /// Quiet alerts resolved per transaction by one auto-resolve pass.
    static let autoResolveBatch = 500

    let database: DatabasePool
    let notifier: SequenceNotifier
    let outbox: WebhookOutbox

    init(database: DatabasePool, notifier: SequenceNotifier, outbox: WebhookOutbox) {
        self.database = database
        self.notifier = notifier
        self.outbox = outbox
    }

    /// Opens an alert, or folds the event into the machine's unresolved alert of the same kind. The same
    /// event id again returns the alert it went into, with `created` false, and changes nothing.
    func raise(_ request: RaiseAlertRequest, now: Int64) async throws -> RaiseAlertResponse {
        let kind = try AlertValidation.validate(request)
        let response = try await commit { db in
            if let alertID = try Int64.fetchOne(
                db, sql: "SELECT alert_id FROM raised_events WHERE event_id = ?", arguments: [request.eventID])
            {
                return (RaiseAlertResponse(alert: try AlertRows.fetch(id: alertID, in: db), created: false), [])
            }
            let silenced = try SilenceRows.covers(equipmentID: request.equipmentID, kind: kind, at: now, in: db)
            let eventTime = request.timestampMs == 0 ? now : request.timestampMs
            let unresolved = try AlertRows.fetchUnresolved(equipmentID: request.equipmentID, kind: kind, in: db)
            var alert =
                unresolved.map { AlertFolding.fold(request, into: $0, eventTime: eventTime, now: now) }
                ?? AlertFolding.open(request, kind: kind, eventTime: eventTime, now: now)
            alert.silenced = silenced
            try AlertRows.save(&alert, lastRaisedAtMs: now, in: db)
            try db.execute(sql: "INSERT INTO raised_events (event_id, alert_id) VALUES (?, ?)", arguments: [request.eventID, alert.id])
            let event = AlertFolding.event(for: alert, before: unresolved, by: request.source, at: now)
            return (RaiseAlertResponse(alert: alert, created: unresolved == nil), [event])
        }
        if response.created, let alert = response.alert {
            Counter(label: "pm_alerts_raised_total", dimensions: [("severity", alert.severity.shortName ?? "unknown")]).increment()
        }
        return response
    }

    /// open → acknowledged, by `actor` (the caller's `pm-actor`, else the request's `by`).
    func acknowledge(_ request: AcknowledgeAlertRequest, by actor: String, now: Int64) async throws -> Alert {
        try AlertValidation.validateChange(alertID: request.alertID, by: actor, note: request.note)
        return try await transition(request.alertID, kind: .acknowledged, by: actor, note: request.note, now: now) { alert in
            // A repeated acknowledgement (a retry) changes nothing and succeeds.
            if alert.state == .acknowledged { return false }
            guard alert.state == .open else {
                throw ServiceError.failedPrecondition(
                    "alert \(alert.id) is \(alert.state.shortName ?? "in state \(alert.state.rawValue)"); only an open alert can be acknowledged"
                )
            }
            alert.state = .acknowledged
            alert.acknowledged = true
            alert.acknowledgedAtMs = now
            alert.acknowledgedBy = actor
            return true
        }
    }

    /// open or acknowledged → resolved, by `actor`. A resolved alert is never reopened.
    func resolve(_ request: ResolveAlertRequest, by actor: String, now: Int64) async throws -> Alert {
        try AlertValidation.validateChange(alertID: request.alertID, by: actor, note: request.note)
        return try await transition(request.alertID, kind: .resolved, by: actor, note: request.note, now: now) { alert in
            // A repeated resolution (a retry) changes nothing and succeeds.
            if alert.state == .resolved { return false }
            Self.markResolved(&alert, by: actor, now: now)
            return true
        }
    }

    /// Resolves every unresolved alert whose latest occurrence arrived before `cutoffMs`; returns how many.
    func resolveQuiet(before cutoffMs: Int64, quietFor quietPeriod: Duration, now: Int64) async throws -> Int {
        var total = 0
        while true {
            let resolved = try await commit { db -> (Int, [AlertEvent]) in
                let quiet = try AlertRows.fetchAll(
                    db, sql: "SELECT body FROM alerts WHERE state != ? AND last_raised_at_ms < ? ORDER BY id LIMIT ?",
                    arguments: [AlertState.resolved.rawValue, cutoffMs, Self.autoResolveBatch])
                let events = try quiet.map { alert in
                    var resolved = alert
                    Self.markResolved(&resolved, by: Self.autoResolver, now: now)
                    try AlertRows.update(resolved, in: db)
                    return AlertEvent(
                        kind: .resolved, alert: resolved, atMs: now, by: Self.autoResolver, fromState: alert.state, toState: .resolved,
                        comment: "no occurrence for \(quietPeriod.wholeMilliseconds / 60_000) minutes")
                }
                return (events.count, events)
            }
            total += resolved
            if resolved < Self.autoResolveBatch { return total }
        }
    }

    private static func markResolved(_ alert: inout Alert, by: String, now: Int64) {
        alert.state = .resolved
        alert.resolvedAtMs = now
        alert.resolvedBy = by
        alert.updatedAtMs = now
    }

    /// Loads the alert, lets `change` check and apply the transition, and records it as `kind`.
    private func transition(
        _ alertID: Int64, kind: AlertEventKind, by: String, note: String, now: Int64,
        change: @escaping @Sendable (inout Alert) throws -> Bool
    ) async throws -> Alert {
        try await commit { db in
            guard let before = try AlertRows.fetch(id: alertID, in: db) else { throw ServiceError.notFound("alert \(alertID)") }
            var alert = before
            guard try change(&alert) else { return (before, []) }
            alert.updatedAtMs = now
            try AlertRows.update(alert, in: db)
            let event = AlertEvent(
                kind: kind, alert: alert, atMs: now, by: by, fromState: before.state, toState: alert.state, comment: note)
            return (alert, [event])
        }
    }

    /// Runs `change` in a write transaction, appends the events it returns to the log with the
    /// notifications they owe, and wakes the watchers once committed.
    private func commit<Result: Sendable>(_ change: @escaping @Sendable (Database) throws -> (Result, [AlertEvent])) async throws -> Result
    {
        let (result, lastSequence) = try await database.write { [outbox] db -> (Result, UInt64) in
            let (result, events) = try change(db)
            var last: UInt64 = 0
            for event in events {
                let stored = try AlertRows.append(event, in: db)
                try outbox.enqueue(stored, now: event.atMs, in: db)
                last = stored.sequence
            }
            return (result, last)
        }
        if lastSequence > 0 { notifier.committed(upTo: lastSequence) }
        return result
    }
}
