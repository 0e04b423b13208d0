import Alerting
import Foundation
import Ingest
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import Scheduling
import ServiceKit
import Testing

enum SchedulingTest {
    static let logger = {
        var logger = Logger(label: "scheduling-test")
        logger.logLevel = .error
        return logger
    }()

    /// The clients of the three services a test runs.
    struct Clients: Sendable {
        let scheduling: SchedulingServiceClient
        let alerting: AlertingServiceClient
        let ingest: IngestServiceClient
    }

    /// Runs Ingest (with the demo fleet: machines 1 to 6), Alerting, and Scheduling pointed at both,
    /// in-process; `folder` keeps their files, so a second run on it is a restart. With `alertingPort`,
    /// Alerting is not started: Scheduling expects it on that port, where the test may start it later
    /// (``withAlerting(folder:port:_:)``). Detection is at `detectionPort` (default: none). `environment`
    /// adds to Scheduling's settings.
    static func with<Result: Sendable>(
        folder: TemporaryFolder, alertingPort: Int? = nil, detectionPort: Int = 1, environment: [String: String] = [:],
        _ body: @Sendable (Clients) async throws -> Result
    ) async throws -> Result {
        let ingest = IngestConfiguration.forTesting(directory: "\(folder.path)/ingest", demoFleet: true)
        return try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
        } _: { ingestRunning in
            if let alertingPort {
                return try await withScheduling(
                    folder: folder, ingest: ingestRunning, alertingPort: alertingPort, detectionPort: detectionPort,
                    environment: environment, body)
            }
            return try await withAlerting(folder: folder, port: 0) { alertingRunning in
                try await withScheduling(
                    folder: folder, ingest: ingestRunning, alertingPort: alertingRunning.port, detectionPort: detectionPort,
                    environment: environment, body)
            }
        }
    }

    /// Runs Alerting on `port` (0: one of its own) with its files in `folder`.
    static func withAlerting<Result: Sendable>(
        folder: TemporaryFolder, port: Int, _ body: @Sendable (RunningApplication) async throws -> Result
    ) async throws -> Result {
        let alerting = AlertingConfiguration.forTesting(directory: "\(folder.path)/alerting")
        let configuration = try RPCServiceConfiguration(
            name: "alerting", defaultPort: port, environment: Environment(["PM_RPC_TOKEN": RunningApplication.testToken]))
        return try await RunningApplication.with(
            try AlertingBuilder.buildApplication(configuration: configuration, alerting: alerting, logger: logger), body)
    }

    private static func withScheduling<Result: Sendable>(
        folder: TemporaryFolder, ingest: RunningApplication, alertingPort: Int, detectionPort: Int, environment: [String: String],
        _ body: @Sendable (Clients) async throws -> Result
    ) async throws -> Result {
        let settings = environment.merging([
            "INGEST_RPC_PORT": "\(ingest.port)", "ALERTING_RPC_PORT": "\(alertingPort)", "DETECTION_RPC_PORT": "\(detectionPort)",
            "PM_RPC_TOKEN": RunningApplication.testToken,
        ]) { _, fixed in fixed }
        let scheduling = try SchedulingConfiguration(dataDirectory: "\(folder.path)/scheduling", environment: Environment(settings))
        return try await RunningApplication.with(service: "scheduling") { configuration in
            try SchedulingBuilder.buildApplication(configuration: configuration, scheduling: scheduling, logger: logger)
        } _: { running in
            try await body(
                Clients(
                    scheduling: SchedulingServiceClient(running.client), alerting: AlertingServiceClient(client(port: alertingPort)),
                    ingest: IngestServiceClient(ingest.client)))
        }
    }

    /// A client with the test token of a service on `port`.
    static func client(port: Int) -> RPCClient {
        RPCClient(
            configuration: .init(host: "127.0.0.1", port: port, connectTimeout: testConnectTimeout),
            interceptors: [BearerTokenClientInterceptor(token: RunningApplication.testToken)])
    }

    static func create(_ machine: Int64 = 1, date: String = "2026-12-20", priority: Priority = .high, key: String = "") -> CreateTaskRequest
    {
        CreateTaskRequest(
            equipmentID: machine, task: "Replace hydraulic seals", scheduledDate: date, priority: priority, idempotencyKey: key)
    }
}
