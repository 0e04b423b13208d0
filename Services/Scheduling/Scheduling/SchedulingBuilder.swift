import Logging
import PMProto
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle

/// Builds the Scheduling service: its database; the task and rule stores (with Ingest's machine
/// registry); the background services that turn Alerting's alerts into tasks, carry out status changes
/// effects in Ingest and Alerting, and start preventive rules; the dashboard gatherer; the RPC handlers.
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
        let ingestClient = scheduling.ingest.makeClient()
        let alertingClient = scheduling.alerting.makeClient()
        let detectionClient = scheduling.detection.makeClient()
        let ingest = IngestServiceClient(ingestClient)
        let alerting = AlertingServiceClient(alertingClient)
        let machines = MachineDirectory(ingest: ingest)
        let tasks = TaskStore(database: storage.pool, machines: machines)
        let scheduler = PreventiveScheduler(database: storage.pool, machines: machines, logger: logger)
        let handlers = SchedulingHandlers(
            tasks: tasks, rules: PreventiveRuleStore(database: storage.pool, machines: machines, scheduler: scheduler, logger: logger),
            dashboard: DashboardStatsGatherer(
                ingest: ingest, alerting: alerting, detection: DetectionServiceClient(detectionClient), tasks: tasks,
                deadline: scheduling.dashboardDeadline))
        let follower = AlertFollower(
            database: storage.pool, alerting: alerting, tasks: AlertTasks(warningDays: scheduling.warningDays), logger: logger)
        let effects = TaskEffectWorker(database: storage.pool, ingest: ingest, alerting: alerting, logger: logger)
        logger.info("scheduling database open", metadata: ["scheduling.database": "\(scheduling.databasePath)"])
        // The database first: the group stops it last.
        return RPCServiceApplication(
            configuration: configuration, services: [handlers],
            backgroundServices: [
                storage, follower, effects.periodically(every: .milliseconds(200)),
                scheduler.periodically(every: scheduling.ruleCheckInterval),
                ClientsCloser([ingestClient, alertingClient, detectionClient]),
            ],
            logger: logger)
    }
}
