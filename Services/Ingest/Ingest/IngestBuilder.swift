import GRDB
import Logging
import PMProto
import PMRPC
import ServiceKit
import ServiceLifecycle

/// Builds the Ingest service: its database, the equipment registry, the group-commit writer, the
/// retention job and the RPC handlers.
public enum IngestBuilder {
    public static let defaultPort = DefaultPorts.ingest

    public static func buildApplication(
        configuration: RPCServiceConfiguration,
        environment: ServiceKit.Environment,
        logger: Logger
    ) throws -> RPCServiceApplication {
        let ingest = try IngestConfiguration(dataDirectory: configuration.dataDirectory, environment: environment)
        return try buildApplication(configuration: configuration, ingest: ingest, logger: logger)
    }

    public static func buildApplication(
        configuration: RPCServiceConfiguration,
        ingest: IngestConfiguration,
        logger: Logger
    ) throws -> RPCServiceApplication {
        let storage = try IngestDatabase.open(ingest)
        let database = storage.pool
        let lastSequence = try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'readings'") ?? 0
        }
        let notifier = SequenceNotifier(latest: UInt64(lastSequence))
        let equipment = try EquipmentStore(database: database)
        let writer = ReadingWriter(database: database, notifier: notifier, maxPendingReadings: ingest.maxPendingReadings)
        let handlers = IngestHandlers(
            equipment: equipment,
            writer: writer,
            queries: ReadingQueries(database: database),
            notifier: notifier,
            validation: ReadingValidation(
                isKnownEquipment: { equipment.isKnown($0) },
                maxClockSkewMs: Int64(ingest.maxClockSkew.components.seconds) * 1000
            )
        )
        // The database first: the group stops it last, after the server and the writer are done with it.
        var background: [any Service] = [storage, writer]
        if let retention = ingest.retention {
            background.append(
                RetentionJob(database: database, retention: retention, logger: logger).periodically(every: ingest.retentionInterval))
        }
        logger.info(
            "ingest database open",
            metadata: [
                "ingest.database": "\(ingest.databasePath)", "ingest.synchronous": "\(ingest.durability.rawValue)",
                "ingest.last_sequence": "\(lastSequence)",
            ])
        return RPCServiceApplication(
            configuration: configuration,
            services: [handlers],
            backgroundServices: background,
            logger: logger
        )
    }
}
