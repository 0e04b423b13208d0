import NIOCore
import NIOPosix
@_spi(RPCWire) import PMProto

/// Calls one server over one multiplexed TCP connection. Safe to share: many tasks may call at once.
///
///     let response = try await client.unary(IngestService.recordReadings, request)
public final class RPCClient: Sendable {
    /// Which server the client calls, and how it connects to it.
    public struct Configuration: Sendable {
        /// The server's host name or IP address.
        public var host: String
        /// The server's TCP port.
        public var port: Int
        /// The largest frame, in bytes without its 4-byte length prefix, the client sends or accepts. A larger
        /// request fails with RESOURCE_EXHAUSTED before it is sent; a larger frame from the server closes the
        /// connection, failing all its calls with UNAVAILABLE. Keep it at the server's limit.
        public var maxFrameSize: Int
        /// How long one connection attempt may take before it fails and the back-off starts.
        public var connectTimeout: Duration
        /// The wait between failed connection attempts; calls made during it fail at once with UNAVAILABLE.
        public var backoff: Backoff
        /// Applied to unary calls whose options name no timeout; server streams get no default. nil: no limit.
        public var defaultTimeout: Duration?

        /// Defaults: 4 MiB frames, a 2 s connect timeout, `Backoff()`'s delays, a 30 s default timeout.
        public init(
            host: String,
            port: Int,
            maxFrameSize: Int = 4 << 20,
            connectTimeout: Duration = .seconds(2),
            backoff: Backoff = Backoff(),
            defaultTimeout: Duration? = .seconds(30)
        ) {
            self.host = host
            self.port = port
            self.maxFrameSize = maxFrameSize
            self.connectTimeout = connectTimeout
            self.backoff = backoff
            self.defaultTimeout = defaultTimeout
        }

        var target: String { "\(host):\(port)" }
    }

    /// The settings the client was made with.
    public let configuration: Configuration
    private let interceptors: [any ClientInterceptor]
    private let connections: ClientConnectionManager

    /// A client of the server `configuration` names; nothing connects until the first call. `interceptors`
    /// wrap every call, the first one outermost; the connection runs on one loop of `eventLoopGroup`.
    public init(
        configuration: Configuration,
        interceptors: [any ClientInterceptor] = [],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.interceptors = interceptors
        self.connections = ClientConnectionManager(configuration: configuration, group: eventLoopGroup)
    }

    /// Makes a unary call. Failures are `RPCError`s: the server's status, DEADLINE_EXCEEDED when the
    /// timeout passes, UNAVAILABLE when the server cannot be reached, CANCELLED when the task is cancelled.
    public func unary<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ request: Request,
        options: CallOptions = .defaults
    ) async throws -> Response {
        let response = ResponseBox<Response>()
        let timeout = options.timeout ?? configuration.defaultTimeout
        let call = interceptors.wrapping { [connections] context in
            let connection = try await connections.connection()
            let frame = Self.callFrame(connections.nextCallID, method.path, context.metadata, timeout, window: 0)
            let payload = try await connection.unary(frame, request: request, timeout: timeout)
            do {
                response.value = try Response(serializedBytes: payload)
            } catch {
                throw RPCError(code: .internal, message: "the server sent an invalid \(Response.self)")
            }
        }
        try await call(ClientContext(method: method.path, metadata: options.metadata))
        guard let value = response.value else { throw Self.noResponse(method.path) }
        return value
    }

    /// Makes a server-streaming call and hands its messages to `body`. The call is cancelled if `body`
    /// returns before the stream ends.
    public func serverStream<Request, Response, Result: Sendable>(
        _ method: MethodDescriptor<Request, Response>,
        _ request: Request,
        options: CallOptions = .defaults,
        _ body: @escaping @Sendable (RPCResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        let result = ResponseBox<Result>()
        let call = interceptors.wrapping { [connections] context in
            let connection = try await connections.connection()
            let window = Int(options.streamWindow)
            let frame = Self.callFrame(connections.nextCallID, method.path, context.metadata, options.timeout, window: window)
            let raw = try connection.stream(frame, request: request, timeout: options.timeout, window: window)
            defer { raw.cancel() }
            result.value = try await body(RPCResponseStream(raw: raw))
        }
        try await call(ClientContext(method: method.path, metadata: options.metadata))
        guard let value = result.value else { throw Self.noResponse(method.path) }
        return value
    }

    /// An interceptor returned without calling `next` and without throwing: a bug in the interceptor,
    /// reported as an error rather than a crash of the caller.
    private static func noResponse(_ path: String) -> RPCError {
        RPCError(code: .internal, message: "a client interceptor ended \(path) without making the call")
    }

    /// Closes the connection; calls in flight fail with UNAVAILABLE and later calls are refused.
    public func close() async {
        await connections.close()
    }

    /// The CALL frame's header; the request is appended as its payload when framed.
    private static func callFrame(_ id: UInt64, _ path: String, _ metadata: Metadata, _ timeout: Duration?, window: Int) -> Frame {
        Frame(
            callID: id,
            type: .call,
            method: path,
            metadata: metadata.map { MetadataEntry(key: $0.key, value: $0.value) },
            timeoutUs: timeout.map { max($0.nanoseconds / 1000, 1) } ?? 0,
            credit: UInt32(window)
        )
    }
}

/// Carries a value out of an interceptor chain, whose calls return nothing.
private final class ResponseBox<Value>: @unchecked Sendable {
    // Written once inside the chain before it returns, read after; the await orders the accesses.
    var value: Value?
}

/// The messages of a server stream, in order. Ends when the server ends the call with OK; throws the
/// call's `RPCError` otherwise.
public struct RPCResponseStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    let raw: RawResponseStream

    /// The iterator of the stream; iterate it once, messages are not replayed.
    public func makeAsyncIterator() -> Iterator {
        Iterator(base: raw.stream.makeAsyncIterator(), window: raw.window, grant: raw.grant)
    }

    /// Decodes the stream's messages one by one and hands credit back to the server as they are consumed.
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let window: Int
        let grant: @Sendable (Int) -> Void
        var consumedSinceGrant = 0

        /// The next message, or nil once the server ended the call with OK. Throws the call's `RPCError`, or
        /// INTERNAL when a message is not a valid `Message`.
        public mutating func next() async throws -> Message? {
            guard let payload = try await base.next() else { return nil }
            // Hand back credit in halves of the window so the server rarely waits and we rarely write.
            consumedSinceGrant += 1
            if consumedSinceGrant >= Swift.max(window / 2, 1) {
                grant(consumedSinceGrant)
                consumedSinceGrant = 0
            }
            do {
                return try Message(serializedBytes: payload)
            } catch {
                throw RPCError(code: .internal, message: "the server sent an invalid \(Message.self)")
            }
        }
    }
}
