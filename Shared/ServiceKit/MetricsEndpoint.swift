import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP/1.1 server for Prometheus: `GET /metrics` answers ``PrometheusMetrics/render()``, any
/// other request 404. One request per connection. Run it in a `ServiceGroup`: it stops on graceful shutdown.
public final class MetricsEndpoint: Service, Sendable {
    /// Where the endpoint listens.
    public struct Configuration: Sendable, Equatable {
        /// The address to bind: `127.0.0.1` (the default) accepts local scrapes only, `0.0.0.0` all.
        public var host: String
        /// 0 picks a free port; see ``MetricsEndpoint/listeningAddress``.
        public var port: Int

        /// An endpoint on `host`:`port`.
        public init(host: String = "127.0.0.1", port: Int = 0) {
            self.host = host
            self.port = port
        }

        /// Service `name`'s endpoint: `<NAME>_METRICS_HOST` (default 127.0.0.1) and `<NAME>_METRICS_PORT`
        /// (0 picks a free port); nil, no endpoint, when the port is unset. Throws ``ConfigurationError``
        /// for a port that is not a number in 0...65535.
        public init?(service name: String, environment: Environment) throws {
            guard environment.string("\(name).metrics.port") != nil else { return nil }
            self.host = environment.string("\(name).metrics.host", default: "127.0.0.1")
            self.port = try environment.int("\(name).metrics.port", default: 0, in: 0...65535)
        }
    }

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let bound: EventLoopPromise<String>

    /// An endpoint served on the loops of `eventLoopGroup`. Nothing is bound until ``run()``.
    public init(
        configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
        self.bound = eventLoopGroup.next().makePromise()
    }

    /// The `host:port` the endpoint listens on, once it is bound.
    public var listeningAddress: String {
        get async throws { try await bound.futureResult.get() }
    }

    /// Binds, serves until graceful shutdown or cancellation, and returns. Throws the error if it cannot
    /// bind; ``listeningAddress`` then throws it too.
    public func run() async throws {
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            bound.fail(error)
            throw error
        }
        let address = server.channel.localAddress
        bound.succeed("\(address?.ipAddress ?? configuration.host):\(address?.port ?? configuration.port)")
        logger.info("metrics endpoint listening", metadata: ["metrics.address": "\(address.map { "\($0)" } ?? "?")"])
        do {
            // A scrape takes milliseconds: cancelling the ones in flight loses nothing.
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { connections in
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await Self.serve(connection) }
                        }
                    }
                }
            }
        } catch is CancellationError {
            // Shutting down.
        }
    }

    /// Answers the connection's first request, then closes it; a broken connection is only dropped.
    private static func serve(_ connection: Connection) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let request): head = request
                case .body: continue
                case .end:
                    if let head { try await respond(to: head, with: outbound) }
                    return
                }
            }
        }
    }

    private static func respond(to request: HTTPRequestHead, with outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>)
        async throws
    {
        let found = request.method == .GET && request.uri.split(separator: "?", omittingEmptySubsequences: false).first == "/metrics"
        let body = found ? ByteBuffer(bytes: PrometheusMetrics.render()) : ByteBuffer(string: "not found\n")
        let headers = HTTPHeaders([
            ("Content-Type", found ? PrometheusMetrics.contentType : "text/plain; charset=utf-8"),
            ("Content-Length", "\(body.readableBytes)"), ("Connection", "close"),
        ])
        try await outbound.write(contentsOf: [
            .head(HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers)),
            .body(.byteBuffer(body)), .end(nil),
        ])
    }
}
