import Detectors
import ServiceKit
import ServiceStorage

/// Detection's own settings (README.md lists them), read once from the environment.
public struct DetectionConfiguration: Sendable {
    public var databasePath: String
    /// Everything Detection stores is derived from Ingest's readings and committed with the stream's
    /// cursor, so NORMAL loses nothing a restart cannot recompute; FULL is available all the same.
    public var durability: SQLiteDurability
    public var detector: DetectorKind
    /// Which machines this replica scores.
    public var shards: DetectionShards
    /// Where Ingest is: the readings, and machine statuses.
    public var ingest: PeerConfiguration
    /// Where Alerting is: anomaly events become alerts.
    public var alerting: PeerConfiguration
    /// How often machines' types and maintenance dates are read from Ingest (a completed task starts
    /// the machine's model afresh).
    public var equipmentPollInterval: Duration
    /// The advice per machine type and sensor: built in, plus `DETECTION_ADVICE_FILE`'s entries.
    var advice: SensorAdvice

    public init(dataDirectory: String, environment: Environment) throws {
        shards = try DetectionShards(environment: environment)
        let defaultFile = shards.count == 1 ? "detection.sqlite" : "detection-\(shards.index).sqlite"
        databasePath = environment.string("detection.database", default: "\(dataDirectory)/\(defaultFile)")
        durability = try SQLiteDurability(
            environment: Environment(environment.values.merging(["DETECTION_SQLITE_SYNCHRONOUS": "normal"]) { own, _ in own }),
            variable: "detection.sqlite.synchronous")
        let name = environment.string("detection.detector", default: DetectorKind.default.rawValue)
        guard let detector = DetectorKind(rawValue: name) else {
            throw ConfigurationError(
                variable: Environment.variableName("detection.detector"), value: name,
                expected: DetectorKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.detector = detector
        ingest = try PeerConfiguration(service: "ingest", defaultPort: DefaultPorts.ingest, environment: environment)
        alerting = try PeerConfiguration(service: "alerting", defaultPort: DefaultPorts.alerting, environment: environment)
        equipmentPollInterval = .seconds(try environment.int("detection.equipment.poll.seconds", default: 30, in: 1...86_400))
        advice = .builtIn
        if let file = environment.string("detection.advice.file") {
            do {
                advice = try SensorAdvice.builtIn.adding(file: file, sensors: MachineModels.features)
            } catch let problem as SensorAdvice.Problem {
                throw ConfigurationError(
                    variable: Environment.variableName("detection.advice.file"), value: file,
                    expected: "a readable advice file; it \(problem.description)")
            }
        }
    }
}
