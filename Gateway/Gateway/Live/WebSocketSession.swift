import Foundation
import HummingbirdWebSocket
import Logging

/// One `/ws` client: sends what the hub queues for it plus heartbeats, and reads its requests
/// (subscribe, resume, ping). Ends when either side closes, or with code 1013 when the client cannot
/// keep up with its queue.
struct WebSocketSession {
    let hub: LiveHub
    let heartbeat: Duration

    static let maxInboundMessage = 16 * 1024

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        let membership = hub.join()
        defer { hub.leave(membership.id) }
        hub.send(
            LiveMessages.hello(alertSequence: hub.lastAlertSequence, heartbeatSeconds: Int(heartbeat.components.seconds)), to: membership.id
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in membership.messages { try await outbound.write(.text(text)) }
                if membership.tooSlow {
                    logger.info("closing a WebSocket client that fell behind")
                    try await outbound.close(.unknown(1013), reason: "client too slow")
                }
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
                    hub.send(LiveMessages.simple("heartbeat", timestampMs: Int64(Date().timeIntervalSince1970 * 1000)), to: membership.id)
                }
            }
            // Whichever ends first (the client left, or was too slow) ends the session.
            try await group.next()
            group.cancelAll()
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
            if let missed = hub.alerts(after: request.alertSequence ?? 0) {
                for message in missed { hub.send(message, to: id) }
            } else {
                hub.send(LiveMessages.simple("resync", reason: "more alert events were missed than the gateway keeps"), to: id)
            }
        case "ping":
            hub.send(LiveMessages.simple("pong"), to: id)
        default:
            hub.send(LiveMessages.simple("error", reason: "unknown request type"), to: id)
        }
    }
}
