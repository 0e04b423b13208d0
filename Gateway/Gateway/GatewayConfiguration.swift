import Logging
import ServiceKit

/// The gateway's settings, read once from the environment (README.md lists them).
public struct GatewayConfiguration: Sendable {
    public var httpHost: String
    public var httpPort: Int
    public var logLevel: Logger.Level
    /// The internal services, by the name used in health reports.
    public var services: [(name: String, peer: PeerConfiguration)]

    public init(environment: Environment) throws {
        self.httpHost = environment.string("gateway.http.host", default: "127.0.0.1")
        self.httpPort = try environment.int("gateway.http.port", default: DefaultPorts.gatewayHTTP, in: 0...65535)
        self.logLevel = try RPCServiceConfiguration.readLogLevel(environment)
        self.services = [
            ("ingest", try PeerConfiguration(service: "ingest", defaultPort: DefaultPorts.ingest, environment: environment)),
            ("detection", try PeerConfiguration(service: "detection", defaultPort: DefaultPorts.detection, environment: environment)),
            ("alerting", try PeerConfiguration(service: "alerting", defaultPort: DefaultPorts.alerting, environment: environment)),
            ("scheduling", try PeerConfiguration(service: "scheduling", defaultPort: DefaultPorts.scheduling, environment: environment)),
        ]
    }
}
