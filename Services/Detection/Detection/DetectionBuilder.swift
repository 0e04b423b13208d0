import Logging
import PMProto
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle

/// Builds the Detection service: its database and the machines' models; the scorer that follows
/// Ingest's readings for this replica's shard; the outbox that raises alerts and sets statuses; the RPC
/// handlers.
public enum DetectionBuilder {
    public static let defaultPort = DefaultPorts.detection

    public static func buildApplication(configuration: RPCServiceConfiguration, environment: ServiceKit.Environment, logger: Logger) throws
        -> RPCServiceApplication
    {
        let detection = try DetectionConfiguration(dataDirectory: configuration.dataDirectory, environment: environment)
        return try buildApplication(configuration: configuration, detection: detection, logger: logger)
    }

    public static func buildApplication(configuration: RPCServiceConfiguration, detection: DetectionConfiguration, logger: Logger) throws
        -> RPCServiceApplication
    {
        let storage = try DetectionDatabase.open(detection)
        let models = try MachineModels(database: storage.pool, kind: detection.detector)
        let ingestClient = detection.ingest.makeClient()
        let alertingClient = detection.alerting.makeClient()
        let ingest = IngestServiceClient(ingestClient)
        let outboxWakeup = Wakeup()
        let scorer = ReadingScorer(
            database: storage.pool, ingest: ingest, models: models, shards: detection.shards, advice: detection.advice,
            outboxWakeup: outboxWakeup, logger: logger)
        let equipment = EquipmentWatcher(ingest: ingest, models: models, shards: detection.shards, logger: logger)
        let outbox = Outbox(database: storage.pool, ingest: ingest, alerting: AlertingServiceClient(alertingClient), logger: logger)
        let handlers = DetectionHandlers(
            queries: DetectionQueries(database: storage.pool, models: models, shards: detection.shards, advice: detection.advice))
        logger.info(
            "detection database open",
            metadata: [
                "detection.database": "\(detection.databasePath)", "detection.detector": "\(detection.detector.rawValue)",
                "detection.shard": "\(detection.shards.index) of \(detection.shards.count)",
            ])
        // The database first: the group stops it last.
        return RPCServiceApplication(
            configuration: configuration, services: [handlers],
            backgroundServices: [
                storage, scorer, outbox.periodically(every: .milliseconds(200), wakeup: outboxWakeup),
                equipment.periodically(every: detection.equipmentPollInterval),
                ClientsCloser([ingestClient, alertingClient]),
            ],
            logger: logger)
    }
}
