import ArgumentParser
import Foundation
import Logging
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle
import Simulator

/// Streams realistic readings of the registered fleet into Ingest, over the RPC or through the public
/// gateway with a device key, with injected faults and their ground truth.
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

    @Option(help: "Readings per RecordReadings call, or per gateway request (there at most 10000).")
    var batchSize: Int = 1000

    @Option(help: "Send readings through the public gateway at this URL, e.g. http://127.0.0.1:8080, with a device key.")
    var gateway: String?

    // A file or the environment, never an argument: arguments show in `ps`.
    @Option(help: "File holding the gateway device key (default: the SIMULATOR_API_KEY environment variable).")
    var apiKeyFile: String?

    @Option(help: "CSV file of injected faults (default: $PM_DATA_DIR/simulator-faults.csv).")
    var truthFile: String?

    func validate() throws {
        guard rate > 0, rate <= 1000 else { throw ValidationError("--rate must be in (0, 1000]") }
        guard faultsPerDay >= 0, faultTimeScale > 0 else {
            throw ValidationError("--faults-per-day must be >= 0 and --fault-time-scale > 0")
        }
        guard (1...50_000).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...50000") }
        if let gateway {
            guard let url = URL(string: gateway), ["http", "https"].contains(url.scheme?.lowercased()), url.host != nil else {
                throw ValidationError("--gateway takes an http:// or https:// URL, e.g. http://127.0.0.1:8080")
            }
        } else if apiKeyFile != nil {
            throw ValidationError("--api-key-file goes with --gateway")
        }
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
        let fleet = IngestServiceClient(client)
        do {
            try await withSink(fleet: fleet, ingest: ingest, environment: environment, logger: logger) { sink in
                let simulator = SimulatorService(client: fleet, sink: sink, options: options, logger: logger)
                let group = ServiceGroup(
                    configuration: .init(
                        services: [.init(service: simulator, successTerminationBehavior: .gracefullyShutdownGroup)],
                        gracefulShutdownSignals: [.sigterm, .sigint],
                        logger: logger
                    ))
                try await group.run()
            }
        } catch is DeliveryRefused {
            throw ExitCode.failure  // the service has logged why
        }
        await client.close()
    }

    /// Runs `body` with where readings go: the gateway with --gateway (its HTTP client shut down after
    /// `body`), else Ingest over the RPC.
    private func withSink(
        fleet: IngestServiceClient, ingest: PeerConfiguration, environment: Environment, logger: Logger,
        _ body: (any ReadingSink) async throws -> Void
    ) async throws {
        guard let gateway else {
            Readiness.announce("simulator", kind: "ingest", address: "\(ingest.address.host):\(ingest.address.port)")
            return try await body(RPCReadingSink(client: fleet, logger: logger))
        }
        let key = try deviceKey(environment)
        Readiness.announce("simulator", kind: "gateway", address: gateway)
        try await GatewayReadingSink.with(gateway: gateway, key: key, logger: logger, body)
    }

    /// The device key from --api-key-file, else SIMULATOR_API_KEY; errors never show it.
    private func deviceKey(_ environment: Environment) throws -> DeviceKey {
        let text: String
        if let apiKeyFile {
            guard let contents = FileManager.default.contents(atPath: apiKeyFile) else {
                throw ValidationError("cannot read --api-key-file \(apiKeyFile)")
            }
            text = String(decoding: contents, as: UTF8.self)
        } else {
            guard let value = environment.string("simulator.api-key") else {
                throw ValidationError("--gateway needs a device key: set SIMULATOR_API_KEY or give --api-key-file")
            }
            text = value
        }
        guard let key = DeviceKey(text) else {
            throw ValidationError("the device key must be one line of visible characters (as `gateway keys create` prints it)")
        }
        return key
    }
}
