import PMRPC
import ServiceKit
import ServiceLifecycleTestKit

/// A whole service application (its server, health, background services) run in-process for a test.
public struct RunningApplication: Sendable {
    /// A client of the application that carries its token; closed when the body returns.
    public let client: RPCClient
    /// The port the application listens on; `client` reaches it on 127.0.0.1.
    public let port: Int
    private let trigger: GracefulShutdownTestTrigger

    /// Starts the application's graceful shutdown, as SIGTERM would.
    public func triggerGracefulShutdown() {
        trigger.triggerGracefulShutdown()
    }

    /// The token of applications started by ``with(service:build:_:)``.
    public static let testToken = "pm-test-token"

    /// Builds service `name` with `build`, listening on 127.0.0.1 with a port of its own (0) and
    /// ``testToken``, runs it until `body` returns, and hands `body` a client of it; wrap that client in
    /// the service's typed client (`IngestServiceClient(running.client)`).
    public static func with<Result: Sendable>(
        service name: String,
        build: (RPCServiceConfiguration) throws -> RPCServiceApplication,
        _ body: @Sendable (RunningApplication) async throws -> Result
    ) async throws -> Result {
        let configuration = try RPCServiceConfiguration(name: name, defaultPort: 0, environment: Environment(["PM_RPC_TOKEN": testToken]))
        return try await with(try build(configuration), body)
    }

    /// Runs `application` until `body` returns, with a client that carries the application's token.
    public static func with<Result: Sendable>(
        _ application: RPCServiceApplication,
        _ body: @Sendable (RunningApplication) async throws -> Result
    ) async throws -> Result {
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.run(handlingSignals: false) }
                let address = try await application.listeningAddress
                let port = Int(address.split(separator: ":").last!)!
                let client = RPCClient(
                    configuration: .init(host: "127.0.0.1", port: port, connectTimeout: testConnectTimeout),
                    interceptors: [BearerTokenClientInterceptor(token: application.configuration.token)]
                )
                let running = RunningApplication(client: client, port: port, trigger: trigger)
                return try await runWithClient(
                    running, client: client, serverTasks: &group, shutdown: trigger.triggerGracefulShutdown, body)
            }
        }
    }
}
