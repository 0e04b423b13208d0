import Foundation
import HummingbirdWebSocket
import Logging
import ServiceKit

/// One `/ws` client: sends what the hub queues for it plus heartbeats, and reads its requests
/// (subscribe, resume, ping). Ends when either side closes, or with code 1013 when the client cannot
/// keep up with its queue.
struct WebSocketSession {
    let hub: LiveHub
    let heartbeat: Duration

    /// Client requests are a few hundred bytes; a subscription to thousands of machines fits.
    static let maxInboundMessage = 16 * 1024
    /// How long closing a too-slow client may wait for its socket before the connection is dropped.
    static let closeTimeout = Duration.seconds(5)

    private struct TooSlow: Error {}

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
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
                group.addTask {
                    for try await message in inbound.messages(maxSize: Self.maxInboundMessage) {
                        guard case .text(let text) = message else { continue }
                        handle(text, from: membership.id)
                    }
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
