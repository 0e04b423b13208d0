import Logging
import PMRPC

/// The settings every RPC service shares, read from the environment (README.md lists them).
public struct RPCServiceConfiguration: Sendable {
    /// The token used when `PM_RPC_TOKEN` is unset: fine on a laptop, never in production.
    public static let developmentToken = "pm-development-token"

    /// `ingest`, `detection`, ...: the prefix of the service's own variables.
    public var name: String
    /// Where the server listens: `<NAME>_RPC_HOST` (default 127.0.0.1) and `<NAME>_RPC_PORT` (default the
    /// service's port, 0 picks a free one); its frame limit: `PM_RPC_MAX_FRAME_BYTES` (1 KiB to 256 MiB,
    /// default 4 MiB). The other server settings keep their defaults.
    public var server: RPCServer.Configuration
    /// The shared secret every call must carry: `PM_RPC_TOKEN`, else ``developmentToken``.
    public var token: String
    /// Where the service keeps its files (SQLite databases): `PM_DATA_DIR`, default `data`.
    public var dataDirectory: String
    /// The lowest level logged: `PM_LOG_LEVEL`, default `info` (see ``readLogLevel(_:)``).
    public var logLevel: Logger.Level
    /// Where Prometheus scrapes the service: `<NAME>_METRICS_HOST` and `<NAME>_METRICS_PORT`; nil (the
    /// default, the port unset) serves no metrics.
    public var metrics: MetricsEndpoint.Configuration?
    /// How long graceful shutdown may take before what is still running is cancelled:
    /// `PM_SHUTDOWN_GRACE_SECONDS`, default 30 (1 to 3600).
    public var shutdownGrace: Duration

    /// Reads the settings of service `name`, which listens on `defaultPort` unless `<NAME>_RPC_PORT` says
    /// otherwise. Throws ``ConfigurationError`` for a value out of range or an unknown log level.
    public init(name: String, defaultPort: Int, environment: Environment) throws {
        self.name = name
        self.server = RPCServer.Configuration(
            host: environment.string("\(name).rpc.host", default: "127.0.0.1"),
            port: try environment.int("\(name).rpc.port", default: defaultPort, in: 0...65535),
            maxFrameSize: try environment.int("pm.rpc.max-frame-bytes", default: 4 << 20, in: 1024...(256 << 20)),
            maxConnections: try environment.int("pm.rpc.max-connections", default: 4096, in: 1...1_000_000),
            frameTimeout: .seconds(try environment.int("pm.rpc.frame-timeout-seconds", default: 20, in: 1...3600)),
            idleTimeout: .seconds(try environment.int("pm.rpc.idle-timeout-seconds", default: 900, in: 1...604_800))
        )
        self.token = environment.string("pm.rpc.token", default: Self.developmentToken)
        self.dataDirectory = environment.string("pm.data.dir", default: "data")
        self.logLevel = try Self.readLogLevel(environment)
        self.metrics = try MetricsEndpoint.Configuration(service: name, environment: environment)
        self.shutdownGrace = .seconds(try environment.int("pm.shutdown.grace-seconds", default: 30, in: 1...3600))
    }

    /// `PM_LOG_LEVEL`, shared by every executable.
    public static func readLogLevel(_ environment: Environment) throws -> Logger.Level {
        let text = environment.string("pm.log.level", default: "info")
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError(
                variable: "PM_LOG_LEVEL", value: text, expected: "trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}

/// Where a client finds a service: `<name>.rpc.host` and `<name>.rpc.port`, the same variables the
/// service itself binds to.
public struct ServiceAddress: Sendable, Equatable {
    /// The host name or IP address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// An address given directly, as tests do.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `<NAME>_RPC_HOST` (default 127.0.0.1) and `<NAME>_RPC_PORT` (default `defaultPort`, 1 to
    /// 65535) of service `name`; throws ``ConfigurationError`` for an invalid port.
    public init(service name: String, defaultPort: Int, environment: Environment) throws {
        self.host = environment.string("\(name).rpc.host", default: "127.0.0.1")
        self.port = try environment.int("\(name).rpc.port", default: defaultPort, in: 1...65535)
    }
}

/// The well-known default ports.
public enum DefaultPorts {
    /// Ingest's RPC port when `INGEST_RPC_PORT` is unset.
    public static let ingest = 7101
    /// Detection's RPC port when `DETECTION_RPC_PORT` is unset.
    public static let detection = 7102
    /// Alerting's RPC port when `ALERTING_RPC_PORT` is unset.
    public static let alerting = 7103
    /// Scheduling's RPC port when `SCHEDULING_RPC_PORT` is unset.
    public static let scheduling = 7104
    /// The gateway's HTTP port when `GATEWAY_HTTP_PORT` is unset.
    public static let gatewayHTTP = 8080
}
