import ServiceKit
import ServiceStorage

/// Scheduling's own settings (README.md lists them), read once from the environment.
public struct SchedulingConfiguration: Sendable {
    public var databasePath: String
    /// FULL by default: an acknowledged task change survives a power cut.
    public var durability: SQLiteDurability
    /// Where Ingest is: tasks are only for machines it knows.
    public var ingest: PeerConfiguration

    public init(dataDirectory: String, environment: Environment) throws {
        databasePath = environment.string("scheduling.database", default: "\(dataDirectory)/scheduling.sqlite")
        durability = try SQLiteDurability(environment: environment, variable: "scheduling.sqlite.synchronous")
        ingest = try PeerConfiguration(service: "ingest", defaultPort: DefaultPorts.ingest, environment: environment)
    }
}
