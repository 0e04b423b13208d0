import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RPCTesting
import Synchronization

/// A real HTTP server on 127.0.0.1 that records every webhook request it gets; it answers 500 to the first
/// `failFirstAttempts` requests of each delivery id, and to every request while ``refusing`` is set; 200
/// otherwise.
public final class TestWebhookReceiver: Sendable {
    /// One request as it arrived.
    public struct Delivery: Sendable {
        public let deliveryID: String
        public let signature: String
        public let body: Data
        /// What the receiver answered.
        public let status: Int

        /// The body as JSON.
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }

        /// Whether `X-PM-Signature` is `sha256=` and the hex HMAC-SHA256 of the body with `secret`.
        public func isSigned(with secret: String) -> Bool {
            let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
            return signature == "sha256=" + code.map { String(format: "%02x", $0) }.joined()
        }
    }

    private struct State {
        var port: Int?
        var refusing = false
        var deliveries: [Delivery] = []
    }

    private let state = Mutex(State())
    private let failFirstAttempts: Int

    private init(failFirstAttempts: Int) {
        self.failFirstAttempts = failFirstAttempts
    }

    /// While true, every request is answered 500, as by a receiver that is down.
    public var refusing: Bool {
        get { state.withLock { $0.refusing } }
        set { state.withLock { $0.refusing = newValue } }
    }

    /// Every request so far, in arrival order.
    public var deliveries: [Delivery] { state.withLock { $0.deliveries } }
    /// The requests answered 200.
    public var accepted: [Delivery] { deliveries.filter { $0.status == 200 } }
    /// Where to send webhooks.
    public var url: String { "http://127.0.0.1:\(state.withLock { $0.port ?? 0 })/hook" }

    /// Runs a receiver for the duration of `body`.
    public static func with<Result: Sendable>(
        failFirstAttempts: Int = 0, _ body: @Sendable (TestWebhookReceiver) async throws -> Result
    ) async throws -> Result {
        let receiver = TestWebhookReceiver(failFirstAttempts: failFirstAttempts)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            return Response(status: receiver.record(request, body: Data(buffer: bytes)) == 200 ? .ok : .internalServerError)
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .warning
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in receiver.state.withLock { $0.port = channel.localAddress?.port } }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            // Generous: at the start of a run on two busy cores a server can take many seconds to listen.
            guard try await eventually(timeout: .seconds(120), { receiver.state.withLock { $0.port != nil } }) else {
                throw ReceiverNotListening()
            }
            return try await body(receiver)
        }
    }

    private func record(_ request: Request, body: Data) -> Int {
        let id = request.headers[HTTPField.Name("X-PM-Delivery-ID")!] ?? ""
        let signature = request.headers[HTTPField.Name("X-PM-Signature")!] ?? ""
        return state.withLock { state in
            let earlier = state.deliveries.filter { $0.deliveryID == id }.count
            let status = state.refusing || earlier < failFirstAttempts ? 500 : 200
            state.deliveries.append(Delivery(deliveryID: id, signature: signature, body: body, status: status))
            return status
        }
    }
}

/// The test receiver's server did not start listening within its limit.
struct ReceiverNotListening: Error, CustomStringConvertible {
    var description: String { "the test webhook receiver did not start listening within 120 s" }
}
