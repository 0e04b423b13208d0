import Logging
import PMProto
import PMRPC
import ServiceKit

/// Builds the Ingest service from its configuration. Its handlers arrive with its own issue; today it
/// serves the health check.
public enum IngestBuilder {
    public static let defaultPort = DefaultPorts.ingest

    public static func buildApplication(
        configuration: RPCServiceConfiguration,
        environment: ServiceKit.Environment,
        logger: Logger
    ) throws -> RPCServiceApplication {
        RPCServiceApplication(
            configuration: configuration,
            router: RPCRouter(),
            serviceNames: [IngestService.name],
            logger: logger
        )
    }
}
