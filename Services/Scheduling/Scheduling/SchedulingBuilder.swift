import Logging
import PMProto
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle

/// Builds the Scheduling service: its database, the task store (with an Ingest client to check machines),
/// the follower that turns Alerting's alerts into tasks, and the RPC handlers.
public enum SchedulingBuilder {
    public static let defaultPort = DefaultPorts.scheduling

    public static func buildApplication(configuration: RPCServiceConfiguration, environment: ServiceKit.Environment, logger: Logger) throws
        -> RPCServiceApplication
    {
        let scheduling = try SchedulingConfiguration(dataDirectory: configuration.dataDirectory, environment: environment)
        return try buildApplication(configuration: configuration, scheduling: scheduling, logger: logger)
    }

    public static func buildApplication(configuration: RPCServiceConfiguration, scheduling: SchedulingConfiguration, logger: Logger) throws
        -> RPCServiceApplication
    {
        let storage = try SchedulingDatabase.open(scheduling)
        let ingest = scheduling.ingest.makeClient()
        let alerting = scheduling.alerting.makeClient()
        let handlers = SchedulingHandlers(tasks: TaskStore(database: storage.pool, ingest: IngestServiceClient(ingest)))
        let follower = AlertFollower(
            database: storage.pool, alerting: AlertingServiceClient(alerting), tasks: AlertTasks(warningDays: scheduling.warningDays),
            logger: logger)
        logger.info("scheduling database open", metadata: ["scheduling.database": "\(scheduling.databasePath)"])
        // The database first: the group stops it last.
        return RPCServiceApplication(
            configuration: configuration, services: [handlers],
            backgroundServices: [storage, follower, ClientsCloser([ingest, alerting])],
            logger: logger)
    }
}
