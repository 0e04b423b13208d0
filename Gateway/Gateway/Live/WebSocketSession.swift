import Foundation
import HummingbirdWebSocket
import Logging
import ServiceKit

/// One `/ws` client: sends what the hub queues for it plus heartbeats, and reads its requests
/// (subscribe, resume, ping). Ends when either side closes, or with code 1013 when the client cannot
/// keep up with its queue.
struct WebSocketSession {
    let hub: LiveHub
    let keys: KeyStore
    let heartbeat: Duration

    /// Client requests are a few hundred bytes; a subscription to thousands of machines fits.
    static let maxInboundMessage = 16 * 1024
    /// How long closing a too-slow client may wait for its socket before the connection is dropped.
    static let closeTimeout = Duration.seconds(5)

    /// How long a client has to send its key, and how often the key is checked again (revocation).
    static let authTimeout = Duration.seconds(10)
    static let keyRecheck = Duration.seconds(2)

    private struct TooSlow: Error {}
    private struct KeyRefused: Error {}

    /// The key comes in the first message, `{"type":"auth","key":"..."}`, not in the URL (which lands in
    /// logs); without a valid one in time the socket is closed with 1008 (policy violation).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        var messages = inbound.messages(maxSize: Self.maxInboundMessage).makeAsyncIterator()
        guard let key = try await firstMessageKey(&messages), try keys.identity(of: key, now: WallClock.nowMs()) != nil else {
            try await outbound.close(.policyViolation, reason: "a valid API key is required: send {\"type\":\"auth\",\"key\":...} first")
            return
        }
        do {
            try await serve(messages: &messages, outbound: outbound, key: key, logger: logger)
        } catch is KeyRefused {
            try await outbound.close(.policyViolation, reason: "the API key was revoked or has expired")
        }
    }

    private func firstMessageKey(_ messages: inout WebSocketInboundMessageStream.AsyncIterator) async throws -> APIKey? {
        return try await withThrowingTaskGroup(of: String?.self) { group in
            nonisolated(unsafe) var iterator = messages
            group.addTask {
                guard case .text(let text)? = try await iterator.next() else { return nil }
                return text
            }
            group.addTask {
                try await Task.sleep(for: Self.authTimeout)
                return nil
            }
            let text = try await group.next() ?? nil
            group.cancelAll()
            messages = iterator
            guard let text, let request = try? RequestBody.decoder.decode(AuthRequest.self, from: Data(text.utf8)), request.type == "auth"
            else { return nil }
            return APIKey(presented: request.key)
        }
    }

    private struct AuthRequest: Decodable {
        var type: String
        var key: String
    }

    private func serve(
        messages: inout WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter, key: APIKey, logger: Logger
    ) async throws {
        let heartbeatSeconds = Int(heartbeat.components.seconds)
        let membership = hub.join { LiveMessages.hello(alertSequence: $0, heartbeatSeconds: heartbeatSeconds) }
        defer { hub.leave(membership.id) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in membership.messages {
                        // Given up on: stop writing a backlog the client will never read in time.
                        if membership.tooSlow { throw TooSlow() }
                        try await outbound.write(.text(text))
                    }
                    if membership.tooSlow { throw TooSlow() }
                }
                group.addTask {
                    // A write blocked on a client that stopped reading would never see the flag.
                    while !membership.tooSlow { try await Task.sleep(for: .milliseconds(250)) }
                    throw TooSlow()
                }
                nonisolated(unsafe) var remaining = messages
                group.addTask {
                    while let message = try await remaining.next() {
                        guard case .text(let text) = message else { continue }
                        handle(text, from: membership.id)
                    }
                }
                group.addTask {
                    while try keys.identity(of: key, now: WallClock.nowMs()) != nil { try await Task.sleep(for: Self.keyRecheck) }
                    throw KeyRefused()
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: heartbeat)
                        hub.send(LiveMessages.simple("heartbeat", timestampMs: WallClock.nowMs()), to: membership.id)
                    }
                }
                // Whichever ends first (the client left, or fell behind) ends the session.
                try await group.next()
                group.cancelAll()
            }
        } catch is TooSlow {
            logger.info("closing a WebSocket client that fell behind")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await outbound.close(.unknown(1013), reason: "client too slow") }
                group.addTask { try await Task.sleep(for: Self.closeTimeout) }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private struct Request: Decodable {
        var type: String
        var equipmentIds: [Int64]?
        var all: Bool?
        var alertSequence: UInt64?
    }

    private func handle(_ text: String, from id: Int) {
        guard let request = try? RequestBody.decoder.decode(Request.self, from: Data(text.utf8)) else {
            return hub.send(LiveMessages.simple("error", reason: "not a JSON request with a type"), to: id)
        }
        switch request.type {
        case "subscribe":
            hub.subscribe(id, to: request.all == true ? nil : Set(request.equipmentIds ?? []))
        case "resume":
            hub.resume(
                id, after: request.alertSequence ?? 0,
                resync: LiveMessages.simple("resync", reason: "more alert events were missed than the gateway keeps"))
        case "ping":
            hub.send(LiveMessages.simple("pong"), to: id)
        default:
            hub.send(LiveMessages.simple("error", reason: "unknown request type"), to: id)
        }
    }
}
