import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import ProcessTestSupport
import Synchronization

/// A real WebSocket client of the gateway's `/ws`, run in the background: it records every message
/// and the close frame; `send` queues a request.
final class LiveSocket: Sendable {
    /// What the connection saw, shared with its task.
    private final class Record: Sendable {
        let texts = Mutex<[String]>([])
        let closeCode = Mutex<Int?>(nil)
    }

    private let record = Record()
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    /// Connects and sends `key` in the first message (`{"type":"auth"}`), as the dashboard does; nil sends nothing.
    init(url: String, key: String?, readSlowly: Bool = false) {
        let (stream, outgoing) = AsyncStream<String>.makeStream()
        self.outgoing = outgoing
        if let key {
            let auth = (try? JSONSerialization.data(withJSONObject: ["type": "auth", "key": key])) ?? Data()
            outgoing.yield(String(decoding: auth, as: UTF8.self))
        }
        let record = record
        self.task = Task {
            var logger = Logger(label: "ws-test")
            logger.logLevel = .error
            let frame = try? await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                    }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if readSlowly { try await Task.sleep(for: .seconds(1)) }
                        guard case .text(let text) = message else { continue }
                        record.texts.withLock { $0.append(text) }
                    }
                    group.cancelAll()
                }
            }
            record.closeCode.withLock { $0 = frame.map { Self.number(of: $0.closeCode) } ?? -1 }
        }
    }

    private static func number(of code: WebSocketErrorCode) -> Int {
        switch code {
        case .normalClosure: 1000
        case .goingAway: 1001
        case .policyViolation: 1008
        case .unexpectedServerError: 1011
        case .unknown(let number): Int(number)
        default: 0
        }
    }

    func send(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        outgoing.yield(String(decoding: data, as: UTF8.self))
    }

    var messages: [[String: Any]] {
        record.texts.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The close code once the connection has ended (-1: ended without a close frame).
    var closedWith: Int? { record.closeCode.withLock { $0 } }

    func messages(ofType type: String) -> [[String: Any]] { messages.filter { $0["type"] as? String == type } }

    /// Waits (polling, up to `limit`) for a message that satisfies `match`.
    func waitFor(_ what: String, limit: Duration = .seconds(90), _ match: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let message = messages.first(where: match) { return message }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessError("no WebSocket message \(what) within \(limit); got \(messages.count) messages")
    }

    func close() {
        outgoing.finish()
        task.cancel()
    }
}
