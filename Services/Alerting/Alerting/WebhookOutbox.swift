import Foundation
import GRDB
import PMProto

/// Writes the notifications an alert event owes into the outbox, in the event's own transaction.
/// Raised, escalated, acknowledged and resolved alerts are notified; repeats folded into an open alert
/// are not (that would be the flood), nor is anything about a silenced alert.
struct WebhookOutbox: Sendable {
    static let notifiedKinds: Set<AlertEventKind> = [.raised, .escalated, .acknowledged, .resolved]

    let receivers: [WebhookReceiver]

    func enqueue(_ event: AlertEvent, now: Int64, in db: Database) throws {
        guard let alert = event.alert, Self.notifiedKinds.contains(event.kind), !alert.silenced else { return }
        let wanting = receivers.filter { alert.severity.rawValue >= $0.minSeverity.rawValue }
        guard !wanting.isEmpty else { return }
        let body = try WebhookPayload.encode(event)
        for receiver in wanting {
            try db.execute(
                sql: """
                    INSERT INTO notifications (event_sequence, receiver, body, created_at_ms, next_attempt_at_ms)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [Int64(clamping: event.sequence), receiver.url, body, now, now])
        }
    }
}

/// The JSON a webhook receiver gets: the event and the alert as it is after it.
struct WebhookPayload: Codable, Equatable {
    struct AlertBody: Codable, Equatable {
        var id: Int64
        var equipmentID: Int64
        var kind: String
        var severity: String
        var state: String
        var title: String
        var description: String
        var confidence: Double
        var sensors: [String]
        var occurrences: UInt32
        var firstSeenMs: Int64
        var lastSeenMs: Int64
        var predictedFailureMs: Int64
        var acknowledgedBy: String
        var resolvedBy: String
    }

    var sequence: UInt64
    var event: String
    var atMs: Int64
    var by: String
    var comment: String
    var alert: AlertBody

    static func encode(_ event: AlertEvent) throws -> Data {
        let alert = event.alert ?? Alert()
        let payload = WebhookPayload(
            sequence: event.sequence, event: event.kind.shortName ?? "unknown", atMs: event.atMs, by: event.by, comment: event.comment,
            alert: AlertBody(
                id: alert.id, equipmentID: alert.equipmentID, kind: alert.kind, severity: alert.severity.shortName ?? "unknown",
                state: alert.state.shortName ?? "unknown", title: alert.title, description: alert.description, confidence: alert.confidence,
                sensors: alert.sensors, occurrences: alert.occurrences, firstSeenMs: alert.firstSeenMs, lastSeenMs: alert.lastSeenMs,
                predictedFailureMs: alert.predictedFailureMs, acknowledgedBy: alert.acknowledgedBy, resolvedBy: alert.resolvedBy))
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(payload)
    }
}
