import AsyncHTTPClient
import Crypto
import Foundation
import GRDB
import Logging
import Metrics
import NIOCore
import ServiceKit
import ServiceLifecycle

/// Delivers the outbox: POSTs each due notification, signed, with a stable delivery id; retries errors,
/// timeouts and 5xx with exponential backoff and jitter until the notification is older than the maximum
/// age. Every attempt is recorded. A restart resumes where the last one stopped: only a 2xx marks a
/// notification delivered, so one that was sent but not marked is sent again with the same delivery id.
struct WebhookDeliverer: Service {
    static let batchSize = 20
    static let idlePoll: Duration = .milliseconds(200)

    let database: DatabasePool
    let configuration: WebhookConfiguration
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    let attempted = try await deliverDue(now: WallClock.nowMs())
                    if attempted == 0 { try await Task.sleep(for: Self.idlePoll) }
                }
            }
        } catch is CancellationError {
            // Shutting down: an attempt in flight is not marked, so it is sent again after the restart.
        }
    }

    private struct Due {
        var id: Int64
        var receiver: String
        var body: Data
        var createdAtMs: Int64
        var attempts: Int
    }

    /// Attempts every notification due at `now`; returns how many it attempted.
    func deliverDue(now: Int64) async throws -> Int {
        let (due, depth) = try await database.read { db -> ([Due], Int) in
            let due = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, receiver, body, created_at_ms, attempts FROM notifications
                    WHERE delivered_at_ms IS NULL AND abandoned_at_ms IS NULL AND next_attempt_at_ms <= ?
                    ORDER BY id LIMIT \(Self.batchSize)
                    """,
                arguments: [now]
            ).map {
                Due(id: $0["id"], receiver: $0["receiver"], body: $0["body"], createdAtMs: $0["created_at_ms"], attempts: $0["attempts"])
            }
            let pending = "SELECT COUNT(*) FROM notifications WHERE delivered_at_ms IS NULL AND abandoned_at_ms IS NULL"
            return (due, try Int.fetchOne(db, sql: pending) ?? 0)
        }
        Gauge(label: "pm_outbox_depth", dimensions: [("queue", "alerting_webhooks")]).record(depth)
        for notification in due {
            let outcome = await attempt(notification)
            try await record(outcome, of: notification, at: WallClock.nowMs())
            Counter(label: "pm_notification_deliveries_total", dimensions: [("outcome", outcome.name)]).increment()
        }
        return due.count
    }

    private enum Outcome {
        case delivered(status: Int)
        case refused(status: Int)
        case failed(status: Int?, error: String)

        /// The `outcome` label of `pm_notification_deliveries_total`.
        var name: String {
            switch self {
            case .delivered: "delivered"
            case .refused: "refused"
            case .failed: "failed"
            }
        }
    }

    private func attempt(_ notification: Due) async -> Outcome {
        var request = HTTPClientRequest(url: notification.receiver)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-PM-Signature", value: "sha256=" + Self.signature(of: notification.body, secret: configuration.secret))
        request.headers.add(name: "X-PM-Delivery-ID", value: "\(notification.id)")
        request.body = .bytes(ByteBuffer(bytes: notification.body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(configuration.timeout.components.seconds)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            switch status {
            case 200..<300: return .delivered(status: status)
            case 408, 429, 500...: return .failed(status: status, error: "HTTP \(status)")
            default: return .refused(status: status)
            }
        } catch {
            return .failed(status: nil, error: "\(error)")
        }
    }

    private func record(_ outcome: Outcome, of notification: Due, at now: Int64) async throws {
        let attempts = notification.attempts + 1
        try await database.write { db in
            switch outcome {
            case .delivered(let status):
                try db.execute(
                    sql: "UPDATE notifications SET delivered_at_ms = ?, attempts = ?, last_error = NULL WHERE id = ?",
                    arguments: [now, attempts, notification.id])
                try Self.recordAttempt(notification.id, at: now, status: status, error: nil, in: db)
            case .refused(let status):
                try db.execute(
                    sql: "UPDATE notifications SET abandoned_at_ms = ?, attempts = ?, last_error = ? WHERE id = ?",
                    arguments: [now, attempts, "refused with HTTP \(status)", notification.id])
                try Self.recordAttempt(notification.id, at: now, status: status, error: "refused", in: db)
            case .failed(let status, let error):
                let expired = now - notification.createdAtMs >= configuration.maxAge.wholeMilliseconds
                try db.execute(
                    sql: "UPDATE notifications SET attempts = ?, last_error = ?, next_attempt_at_ms = ?, abandoned_at_ms = ? WHERE id = ?",
                    arguments: [attempts, error, now + backoffMs(afterAttempts: attempts), expired ? now : nil, notification.id])
                try Self.recordAttempt(notification.id, at: now, status: status, error: error, in: db)
            }
        }
        if case .failed(_, let error) = outcome {
            logger.warning(
                "webhook delivery failed; retrying", metadata: ["webhook.receiver": "\(notification.receiver)", "error": "\(error)"])
        }
    }

    private static func recordAttempt(_ id: Int64, at now: Int64, status: Int?, error: String?, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO delivery_attempts (notification_id, at_ms, http_status, error) VALUES (?, ?, ?, ?)",
            arguments: [id, now, status, error])
    }

    /// initial × 2^(attempts-1), capped, times a random factor in [0.5, 1] so receivers are not hit in step.
    func backoffMs(afterAttempts attempts: Int) -> Int64 {
        let initial = Double(configuration.initialBackoff.wholeMilliseconds)
        let capped = min(Double(configuration.maxBackoff.wholeMilliseconds), initial * pow(2, Double(min(attempts - 1, 40))))
        return Int64(capped * Double.random(in: 0.5...1))
    }

    /// Lower-case hex of HMAC-SHA256(body, secret): what `X-PM-Signature: sha256=` carries.
    static func signature(of body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
