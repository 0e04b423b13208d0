import ArgumentParser
import Logging
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle
import Simulator

/// Streams realistic readings of the registered fleet into Ingest, with injected faults and their ground truth.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Feed Ingest with simulated sensor readings, injecting faults and recording their ground truth."
    )

    @Option(help: "Readings per second per machine (at most 1000).")
    var rate: Double = 1

    @Option(help: "Seed of the random generator: the same seed gives the same readings and faults.")
    var seed: UInt64 = 42

    @Option(help: "Average faults started per machine per day (a fault lasts hours unless --fault-time-scale shrinks it).")
    var faultsPerDay: Double = 0.2

    @Option(help: "Shrinks fault durations (60: an hour-long degradation lasts a minute).")
    var faultTimeScale: Double = 1

    @Option(help: "Hours of history to generate first, timestamped in the past.")
    var backfillHours: Double = 0

    @Option(help: "Stop after this many seconds (default: run until SIGINT/SIGTERM).")
    var durationSeconds: Double?

    @Option(help: "Readings per RecordReadings call.")
    var batchSize: Int = 1000

    @Option(help: "CSV file of injected faults (default: $PM_DATA_DIR/simulator-faults.csv).")
    var truthFile: String?

    func validate() throws {
        guard rate > 0, rate <= 1000 else { throw ValidationError("--rate must be in (0, 1000]") }
        guard faultsPerDay >= 0, faultTimeScale > 0 else {
            throw ValidationError("--faults-per-day must be >= 0 and --fault-time-scale > 0")
        }
        guard (1...50_000).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...50000") }
    }

    func run() async throws {
        let environment = Environment.process
        let level = try RPCServiceConfiguration.readLogLevel(environment)
        LoggingSetup.bootstrap(level: level)
        let logger = Logger(label: "pm.simulator")
        let ingest = try PeerConfiguration(service: "ingest", defaultPort: DefaultPorts.ingest, environment: environment)
        let client = ingest.makeClient()
        let dataDirectory = environment.string("pm.data.dir", default: "data")
        let options = SimulatorService.Options(
            settings: .init(rate: rate, faultsPerDay: faultsPerDay, faultTimeScale: faultTimeScale, seed: seed),
            backfill: .milliseconds(Int64(backfillHours * 3_600_000)),
            duration: durationSeconds.map { .milliseconds(Int64($0 * 1000)) },
            batchSize: batchSize,
            truthFile: truthFile ?? "\(dataDirectory)/simulator-faults.csv"
        )
        Readiness.announce("simulator", kind: "ingest", address: "\(ingest.address.host):\(ingest.address.port)")
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: SimulatorService(client: IngestServiceClient(client), options: options, logger: logger),
                        successTerminationBehavior: .gracefullyShutdownGroup)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
        try await group.run()
        await client.close()
    }
}
