import Logging
import PMRPC

/// The settings every RPC service shares, read from the environment (README.md lists them).
public struct RPCServiceConfiguration: Sendable {
    /// The token used when `PM_RPC_TOKEN` is unset: fine on a laptop, never in production.
    public static let developmentToken = "pm-development-token"

    /// `ingest`, `detection`, ...: the prefix of the service's own variables.
    public var name: String
    public var server: RPCServer.Configuration
    public var token: String
    public var dataDirectory: String
    public var logLevel: Logger.Level

    public init(name: String, defaultPort: Int, environment: Environment) throws {
        self.name = name
        self.server = RPCServer.Configuration(
            host: environment.string("\(name).rpc.host", default: "127.0.0.1"),
            port: try environment.int("\(name).rpc.port", default: defaultPort, in: 0...65535),
            maxFrameSize: try environment.int("pm.rpc.max-frame-bytes", default: 4 << 20, in: 1024...(256 << 20))
        )
        self.token = environment.string("pm.rpc.token", default: Self.developmentToken)
        self.dataDirectory = environment.string("pm.data.dir", default: "data")
        self.logLevel = try Self.readLogLevel(environment)
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
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(service name: String, defaultPort: Int, environment: Environment) throws {
        self.host = environment.string("\(name).rpc.host", default: "127.0.0.1")
        self.port = try environment.int("\(name).rpc.port", default: defaultPort, in: 1...65535)
    }
}

/// The well-known default ports.
public enum DefaultPorts {
    public static let ingest = 7101
    public static let detection = 7102
    public static let alerting = 7103
    public static let scheduling = 7104
    public static let gatewayHTTP = 8080
}
