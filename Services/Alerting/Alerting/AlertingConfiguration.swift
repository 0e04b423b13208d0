import ServiceKit
import ServiceStorage

/// Alerting's own settings (README.md lists them), read once from the environment.
public struct AlertingConfiguration: Sendable {
    public var databasePath: String
    /// FULL by default: an acknowledged alert change, and the notification it owes, survive a power cut.
    public var durability: SQLiteDurability
    /// An alert with no new occurrence for this long is resolved by the service; nil: never.
    public var autoResolveAfter: Duration?
    /// How often the auto-resolve job looks for quiet alerts.
    public var autoResolveInterval: Duration
    /// Where notifications go.
    public var webhooks: WebhookConfiguration

    public init(dataDirectory: String, environment: Environment) throws {
        databasePath = environment.string("alerting.database", default: "\(dataDirectory)/alerting.sqlite")
        durability = try SQLiteDurability(environment: environment, variable: "alerting.sqlite.synchronous")
        let minutes = try environment.int("alerting.auto-resolve.minutes", default: 60, in: 0...525_600)
        autoResolveAfter = minutes == 0 ? nil : .seconds(minutes * 60)
        autoResolveInterval = .seconds(try environment.int("alerting.auto-resolve.check.seconds", default: 30, in: 1...3600))
        webhooks = try WebhookConfiguration(environment: environment)
    }

    /// Settings for tests: a database file in `directory`, every default otherwise.
    public static func forTesting(directory: String) -> AlertingConfiguration {
        // An empty environment means every default, and the defaults always parse.
        try! AlertingConfiguration(dataDirectory: directory, environment: Environment([:]))
    }
}
