import ServiceKit
import ServiceStorage

/// Ingest's own settings (README.md lists them), read once from the environment.
public struct IngestConfiguration: Sendable {
    public var databasePath: String
    /// FULL by default: an acknowledged reading survives a power cut, not only a crash.
    public var durability: SQLiteDurability
    public var createDemoFleet: Bool
    /// Readings older than this are deleted; nil keeps them forever.
    public var retention: Duration?
    public var retentionInterval: Duration
    /// Readings accepted but not yet committed, past which RecordReadings answers RESOURCE_EXHAUSTED.
    public var maxPendingReadings: Int
    /// How far ahead of the server's clock a reading's timestamp may be.
    public var maxClockSkew: Duration

    public init(dataDirectory: String, environment: Environment) throws {
        self.databasePath = environment.string("ingest.database", default: "\(dataDirectory)/ingest.sqlite")
        self.durability = try SQLiteDurability(environment: environment, variable: "ingest.sqlite.synchronous")
        self.createDemoFleet = try environment.bool("ingest.demo-fleet", default: true)
        let days = try environment.int("ingest.retention.days", default: 90, in: 0...36_500)
        self.retention = days == 0 ? nil : .seconds(days * 86_400)
        self.retentionInterval = .seconds(try environment.int("ingest.retention.interval.seconds", default: 3600, in: 1...86_400))
        self.maxPendingReadings = try environment.int("ingest.max-pending-readings", default: 200_000, in: 1...10_000_000)
        self.maxClockSkew = .seconds(try environment.int("ingest.max-clock-skew.seconds", default: 300, in: 0...86_400))
    }

    /// Settings for tests: a database file in `directory`, no demo fleet unless asked.
    public static func forTesting(directory: String, demoFleet: Bool = false) -> IngestConfiguration {
        // An empty environment means every default, and the defaults always parse.
        var configuration = try! IngestConfiguration(dataDirectory: directory, environment: Environment([:]))
        configuration.createDemoFleet = demoFleet
        return configuration
    }
}
