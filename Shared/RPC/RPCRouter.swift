import NIOCore
@_spi(RPCWire) import PMProto

/// Maps method paths to typed handlers. A service registers one line per method:
///
///     router.register(IngestService.recordReadings) { request, context in try await store.record(request) }
public struct RPCRouter: Sendable {
    private(set) var routes: [String: Route] = [:]

    /// A router with no methods; add them with `register(_:handler:)` or `merge(_:)`.
    public init() {}

    /// Registers a unary handler, replacing any earlier one of the method; traps if `method` is not unary.
    public mutating func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        precondition(method.kind == .unary, "\(method.path) is not unary")
        routes[method.path] = Route(kind: .unary) { payload, context, call in
            let request = try Self.decode(Request.self, payload)
            let response = try await handler(request, context)
            call.responseFrame = ByteBufferAllocator().rpcFrame(
                Frame(callID: call.id, type: .status, statusCode: RPCError.Code.ok.rawValue), message: response
            )
        }
    }

    /// Registers a server-streaming handler; the call ends when the handler returns. Replaces any earlier
    /// handler of the method; traps if `method` is not server-streaming.
    public mutating func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        handler: @escaping @Sendable (Request, RPCWriter<Response>, ServerContext) async throws -> Void
    ) {
        precondition(method.kind == .serverStreaming, "\(method.path) is not server-streaming")
        routes[method.path] = Route(kind: .serverStreaming) { payload, context, call in
            let request = try Self.decode(Request.self, payload)
            try await handler(request, RPCWriter(call: call), context)
        }
    }

    /// Adds every route of `other`.
    public mutating func merge(_ other: RPCRouter) {
        routes.merge(other.routes) { _, new in new }
    }

    private static func decode<Request: ProtoMessage>(_ type: Request.Type, _ payload: [UInt8]) throws -> Request {
        do {
            return try Request(serializedBytes: payload)
        } catch let error as ProtoDecodingError {
            if let field = error.invalidField {
                throw RPCError(code: .invalidArgument, message: "\(field.field): \(field.reason)", metadata: ["field": field.field])
            }
            throw RPCError(code: .invalidArgument, message: "the request is not a valid \(Request.self) message")
        }
    }
}

/// A type-erased handler: decodes the request, runs the typed handler, leaves the response on the call.
struct Route: Sendable {
    let kind: MethodDescriptor<Frame, Frame>.Kind
    let invoke: @Sendable (_ payload: [UInt8], _ context: ServerContext, _ call: ServerCall) async throws -> Void

    /// What a call to a method the server does not have runs, inside the interceptors.
    static func unknownMethod(_ path: String) -> Route {
        Route(kind: .unary) { _, _, _ in throw RPCError(code: .unimplemented, message: "unknown method \(path)") }
    }
}

/// Sends the messages of a server stream. A write waits while the client has no room for more (its
/// credit is spent) or the socket's send buffer is full, so a slow consumer never makes the server buffer.
public struct RPCWriter<Message: ProtoMessage>: Sendable {
    let call: ServerCall

    /// Sends one message, waiting while the client has no credit left or the socket cannot take more.
    /// Throws `CancellationError` once the call is over (cancelled, past its deadline, connection lost,
    /// server draining) and RESOURCE_EXHAUSTED when the message exceeds the server's frame size limit.
    public func write(_ message: Message) async throws {
        try await call.writeStreamFrame(ByteBufferAllocator().rpcFrame(Frame(callID: call.id, type: .message), message: message))
    }
}
