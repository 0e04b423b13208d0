import Logging
import NIOCore
import PMRPC
import ServiceLifecycleTestKit

/// A server started on 127.0.0.1 with a free port for one test, and a client connected to it.
public struct RPCTestServer: Sendable {
    /// A client of the server with the `clientInterceptors` given to `with`; closed when the body returns.
    public let client: RPCClient
    /// The free port the server listens on, on 127.0.0.1.
    public let port: Int
    /// The server under test.
    public let server: RPCServer
    private let trigger: GracefulShutdownTestTrigger

    /// Starts the server's graceful shutdown, as SIGTERM would.
    public func triggerGracefulShutdown() {
        trigger.triggerGracefulShutdown()
    }

    /// Another client of the same server, with its own connection.
    public func makeClient(interceptors: [any ClientInterceptor]) -> RPCClient {
        RPCClient(configuration: .init(host: "127.0.0.1", port: port, connectTimeout: testConnectTimeout), interceptors: interceptors)
    }

    /// Runs `body` against a server serving `router`, then shuts both down gracefully.
    public static func with<Result: Sendable>(
        router: RPCRouter,
        interceptors: [any ServerInterceptor] = [],
        configuration: RPCServer.Configuration = .init(),
        clientInterceptors: [any ClientInterceptor] = [],
        logger: Logger = Logger(label: "rpc-test-server"),
        _ body: @Sendable (RPCTestServer) async throws -> Result
    ) async throws -> Result {
        try await testGracefulShutdown { trigger in
            let server = RPCServer(
                configuration: configuration,
                router: router,
                interceptors: interceptors,
                logger: logger
            )
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                let port = try await server.listeningAddress.port!
                let client = RPCClient(
                    configuration: .init(host: "127.0.0.1", port: port, connectTimeout: testConnectTimeout),
                    interceptors: clientInterceptors)
                let testServer = RPCTestServer(client: client, port: port, server: server, trigger: trigger)
                return try await runWithClient(
                    testServer, client: client, serverTasks: &group, shutdown: trigger.triggerGracefulShutdown, body)
            }
        }
    }
}
