import Logging
import PMProto
import PMRPC
import ServiceKit

/// Builds the Detection service. Its handlers arrive with its own issue; today it serves the health check.
public enum DetectionBuilder {
    public static let defaultPort = DefaultPorts.detection

    public static func buildApplication(configuration: RPCServiceConfiguration, environment: ServiceKit.Environment, logger: Logger) throws
        -> RPCServiceApplication
    {
        RPCServiceApplication(configuration: configuration, services: [], logger: logger)
    }
}
