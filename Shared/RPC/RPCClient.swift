import NIOCore
import NIOPosix
import PMProto

/// Calls one server over one multiplexed TCP connection. Safe to share: many tasks may call at once.
///
///     let response = try await client.unary(IngestService.recordReadings, request)
public final class RPCClient: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var maxFrameSize: Int
        public var connectTimeout: Duration
        public var backoff: Backoff
        /// Applied to calls whose options name no timeout.
        public var defaultTimeout: Duration?

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

    public let configuration: Configuration
    private let interceptors: [any ClientInterceptor]
    private let connections: ClientConnectionManager

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
        return response.value!
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
        return result.value!
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

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: raw.stream.makeAsyncIterator(), window: raw.window, grant: raw.grant)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let window: Int
        let grant: @Sendable (Int) -> Void
        var consumedSinceGrant = 0

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
