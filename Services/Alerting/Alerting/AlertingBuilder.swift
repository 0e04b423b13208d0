import Logging
import PMProto
import PMRPC
import ServiceKit

/// Builds the Alerting service. Its handlers arrive with its own issue; today it serves the health check.
public enum AlertingBuilder {
    public static let defaultPort = DefaultPorts.alerting

    public static func buildApplication(configuration: RPCServiceConfiguration, environment: ServiceKit.Environment, logger: Logger) throws
        -> RPCServiceApplication
    {
        RPCServiceApplication(configuration: configuration, services: [], logger: logger)
    }
}
