import GRDB
import Logging
import PMProto
import PMRPC
import ServiceKit
import ServiceLifecycle

/// Builds the Alerting service: its database, the alert and silence stores, the auto-resolve job, the
/// webhook deliverer and the RPC handlers.
public enum AlertingBuilder {
    public static let defaultPort = DefaultPorts.alerting

    public static func buildApplication(configuration: RPCServiceConfiguration, environment: ServiceKit.Environment, logger: Logger) throws
        -> RPCServiceApplication
    {
        let alerting = try AlertingConfiguration(dataDirectory: configuration.dataDirectory, environment: environment)
        return try buildApplication(configuration: configuration, alerting: alerting, logger: logger)
    }

    public static func buildApplication(configuration: RPCServiceConfiguration, alerting: AlertingConfiguration, logger: Logger) throws
        -> RPCServiceApplication
    {
        let storage = try AlertingDatabase.open(alerting)
        let database = storage.pool
        let lastSequence = try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'alert_events'") ?? 0
        }
        let alerts = AlertStore(
            database: database, notifier: SequenceNotifier(latest: UInt64(lastSequence)),
            outbox: WebhookOutbox(receivers: alerting.webhooks.receivers))
        // The database first: the group stops it last, after everything that uses it.
        var background: [any Service] = [storage, WebhookDeliverer(database: database, configuration: alerting.webhooks, logger: logger)]
        if let quiet = alerting.autoResolveAfter {
            background.append(
                PeriodicJob(name: "auto-resolve", interval: alerting.autoResolveInterval, logger: logger) {
                    let now = WallClock.nowMs()
                    let resolved = try await alerts.resolveQuiet(before: now - quiet.wholeMilliseconds, quietFor: quiet, now: now)
                    if resolved > 0 { logger.info("auto-resolved quiet alerts", metadata: ["alerting.resolved": "\(resolved)"]) }
                })
        }
        logger.info(
            "alerting database open",
            metadata: [
                "alerting.database": "\(alerting.databasePath)", "alerting.last_sequence": "\(lastSequence)",
                "alerting.webhook_receivers": "\(alerting.webhooks.receivers.count)",
            ])
        let handlers = AlertingHandlers(
            alerts: alerts, queries: AlertQueries(database: database), silences: SilenceStore(database: database))
        return RPCServiceApplication(configuration: configuration, services: [handlers], backgroundServices: background, logger: logger)
    }
}
