import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PMProto
import ServiceLifecycle

/// Serves the binary RPC of Proto/PROTOCOL.md on a TCP port. Run it in a `ServiceGroup`: on graceful
/// shutdown it stops accepting, lets unary calls finish, ends server streams with UNAVAILABLE and returns.
public final class RPCServer: Service, Sendable {
    /// Where the server listens and the limits it enforces on each connection.
    public struct Configuration: Sendable {
        /// The address to bind: `127.0.0.1` (the default) accepts local connections only, `0.0.0.0` all.
        public var host: String
        /// 0 picks a free port; see ``RPCServer/listeningAddress``.
        public var port: Int
        /// The largest frame in bytes, without its 4-byte length prefix. An incoming frame announcing more
        /// closes the connection before anything is buffered; a larger response or stream message fails
        /// with RESOURCE_EXHAUSTED.
        public var maxFrameSize: Int
        /// Calls one connection may have in flight; one more fails at once with RESOURCE_EXHAUSTED.
        public var maxConcurrentCallsPerConnection: Int
        /// Stream messages a client may be sent before it grants credit, when its CALL names none.
        public var defaultStreamWindow: Int
        /// Unary handlers one connection may have running at once; further calls wait (not refused) for
        /// one to finish, and none starts while the connection's answers are not being read. Together
        /// with reading no more frames while answers back up, this bounds what a client that does not
        /// read can make the server hold to about this many answers.
        public var maxRunningUnaryCallsPerConnection: Int
        /// Open connections past which new ones are closed at once (and logged).
        public var maxConnections: Int
        /// How long a frame's bytes may stop arriving, mid-frame, before the connection is closed (time
        /// with reads paused by the server itself does not count).
        public var frameTimeout: Duration
        /// How long a connection with no call in flight is kept; clients reconnect when they need to.
        public var idleTimeout: Duration

        /// Defaults: 127.0.0.1 on a free port, 4 MiB frames, 4096 calls per connection of which 64 unary
        /// handlers run at once, a window of 32 messages, 4096 connections, 20 s to finish a frame once
        /// begun, 15 minutes idle.
        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            maxFrameSize: Int = 4 << 20,
            maxConcurrentCallsPerConnection: Int = 4096,
            defaultStreamWindow: Int = 32,
            maxRunningUnaryCallsPerConnection: Int = 64,
            maxConnections: Int = 4096,
            frameTimeout: Duration = .seconds(20),
            idleTimeout: Duration = .seconds(900)
        ) {
            self.host = host
            self.port = port
            self.maxFrameSize = maxFrameSize
            self.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection
            self.defaultStreamWindow = defaultStreamWindow
            precondition(maxRunningUnaryCallsPerConnection > 0, "with no running slot no unary call could ever run")
            self.maxRunningUnaryCallsPerConnection = maxRunningUnaryCallsPerConnection
            self.maxConnections = maxConnections
            self.frameTimeout = frameTimeout
            self.idleTimeout = idleTimeout
        }
    }

    private let configuration: Configuration
    private let routes: [String: Route]
    private let interceptors: [any ServerInterceptor]
    private let group: any EventLoopGroup
    private let logger: Logger
    private let bound: EventLoopPromise<SocketAddress>
    private let connections = NIOLockedValueBox<[ObjectIdentifier: (any Channel, EventLoopFuture<Void>)]>([:])

    /// A server of `router`'s methods, every call wrapped by `interceptors` (the first one outermost),
    /// its connections served on the loops of `eventLoopGroup`. Nothing is bound until ``run()``.
    public init(
        configuration: Configuration,
        router: RPCRouter,
        interceptors: [any ServerInterceptor] = [],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.routes = router.routes
        self.interceptors = interceptors
        self.group = eventLoopGroup
        self.logger = logger
        self.bound = eventLoopGroup.next().makePromise()
    }

    /// The address the server listens on, once it is bound.
    public var listeningAddress: SocketAddress {
        get async throws { try await bound.futureResult.get() }
    }

    /// Binds, serves until graceful shutdown (drains) or cancellation (closes every connection at once), and
    /// returns when every connection has closed and every handler returned. Throws the error if it cannot
    /// bind; ``listeningAddress`` then throws it too.
    public func run() async throws {
        let serverChannel: any Channel
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try self.configureConnection(channel) }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            bound.fail(error)
            throw error
        }
        let address = serverChannel.localAddress!
        bound.succeed(address)
        logger.info("RPC server listening", metadata: ["rpc.address": "\(address)"])

        // Either graceful shutdown (drain) or cancellation (close at once) ends the wait.
        let graceful = (try? await gracefulShutdown()) != nil
        try? await serverChannel.close()
        let open = connections.withLockedValue { Array($0.values) }
        for (channel, _) in open {
            if graceful {
                channel.eventLoop.execute {
                    try? channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self).drain()
                }
            } else {
                channel.close(promise: nil)
            }
        }
        for (_, finished) in open {
            try? await finished.get()
        }
        logger.info("RPC server stopped", metadata: ["rpc.address": "\(address)"])
    }

    private func configureConnection(_ channel: any Channel) throws {
        let open = connections.withLockedValue { $0.count }
        guard open < configuration.maxConnections else {
            logger.warning(
                "refusing RPC connection: too many open",
                metadata: ["rpc.peer": "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")", "rpc.connections": "\(open)"])
            throw RPCProtocolViolation(description: "\(open) connections open (limit \(configuration.maxConnections))")
        }
        let progress = FrameProgress()
        let handler = ServerConnectionHandler(
            configuration: configuration, routes: routes, interceptors: interceptors, channel: channel, progress: progress, logger: logger
        )
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(RPCFrameDecoder(maxFrameSize: configuration.maxFrameSize, progress: progress))
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        let key = ObjectIdentifier(channel)
        connections.withLockedValue { $0[key] = (channel, handler.finished.futureResult) }
        handler.finished.futureResult.whenComplete { [connections] _ in
            connections.withLockedValue { $0[key] = nil }
        }
    }
}
