import ServiceKit
import ServiceStorage

/// Scheduling's own settings (README.md lists them), read once from the environment.
public struct SchedulingConfiguration: Sendable {
    public var databasePath: String
    /// FULL by default: an acknowledged task change survives a power cut.
    public var durability: SQLiteDurability
    /// Where Ingest is: tasks are only for machines it knows.
    public var ingest: PeerConfiguration
    /// Where Alerting is: its alerts become tasks.
    public var alerting: PeerConfiguration
    /// Where Detection is: the dashboard's prediction figures.
    public var detection: PeerConfiguration
    /// Days ahead a warning alert's task is scheduled (unless a failure is predicted sooner).
    public var warningDays: Int
    /// How often preventive rules are checked for machines that need their first task.
    public var ruleCheckInterval: Duration
    /// The deadline of each call DashboardStats makes to another service.
    public var dashboardDeadline: Duration

    public init(dataDirectory: String, environment: Environment) throws {
        databasePath = environment.string("scheduling.database", default: "\(dataDirectory)/scheduling.sqlite")
        durability = try SQLiteDurability(environment: environment, variable: "scheduling.sqlite.synchronous")
        ingest = try PeerConfiguration(service: "ingest", defaultPort: DefaultPorts.ingest, environment: environment)
        alerting = try PeerConfiguration(service: "alerting", defaultPort: DefaultPorts.alerting, environment: environment)
        detection = try PeerConfiguration(service: "detection", defaultPort: DefaultPorts.detection, environment: environment)
        warningDays = try environment.int("scheduling.warning-days", default: 7, in: 0...365)
        ruleCheckInterval = .seconds(try environment.int("scheduling.rule-check-seconds", default: 60, in: 1...86_400))
        dashboardDeadline = .milliseconds(try environment.int("scheduling.dashboard-deadline-ms", default: 1000, in: 10...60_000))
    }
}
