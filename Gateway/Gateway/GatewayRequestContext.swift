import Hummingbird
import HummingbirdWebSocket

/// The per-request context of every gateway route (HTTP and the WebSocket upgrade).
public struct GatewayRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The caller, once ``AuthMiddleware`` has checked its key (nil on public routes).
    public var identity: Identity?

    /// The client's address (without port), for counting failed sign-in attempts.
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
