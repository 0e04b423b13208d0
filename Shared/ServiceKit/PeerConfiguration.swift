import PMRPC

/// How one service reaches another, read from the environment: the peer's `<NAME>_RPC_HOST` and
/// `<NAME>_RPC_PORT` (the variables the peer itself binds to), the shared `PM_RPC_TOKEN`, and
/// `PM_RPC_TIMEOUT_MS` for calls that name no timeout of their own.
public struct PeerConfiguration: Sendable {
    /// Where the peer listens: `<NAME>_RPC_HOST` (default 127.0.0.1) and `<NAME>_RPC_PORT`.
    public var address: ServiceAddress
    /// The shared secret sent with every call: `PM_RPC_TOKEN`, else ``RPCServiceConfiguration/developmentToken``.
    public var token: String
    /// The time budget of unary calls that name none: `PM_RPC_TIMEOUT_MS` milliseconds, 1 to 3,600,000,
    /// default 30,000.
    public var defaultTimeout: Duration

    /// Reads how to reach service `name` (`ingest`, ...), at `defaultPort` when `<NAME>_RPC_PORT` is unset;
    /// throws ``ConfigurationError`` for a port or timeout that is not a number in range.
    public init(service name: String, defaultPort: Int, environment: Environment) throws {
        self.address = try ServiceAddress(service: name, defaultPort: defaultPort, environment: environment)
        self.token = environment.string("pm.rpc.token", default: RPCServiceConfiguration.developmentToken)
        self.defaultTimeout = .milliseconds(try environment.int("pm.rpc.timeout-ms", default: 30_000, in: 1...3_600_000))
    }

    /// A client of the peer that sends the token with every call; `interceptors` run before it.
    public func makeClient(interceptors: [any ClientInterceptor] = []) -> RPCClient {
        RPCClient(
            configuration: .init(host: address.host, port: address.port, defaultTimeout: defaultTimeout),
            interceptors: interceptors + [BearerTokenClientInterceptor(token: token)]
        )
    }
}
