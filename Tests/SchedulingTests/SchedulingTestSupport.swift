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
    }

    /// Runs Ingest (with the demo fleet: machines 1 to 6), Alerting, and Scheduling pointed at both,
    /// in-process; `folder` keeps their files, so a second run on it is a restart.
    static func with<Result: Sendable>(folder: TemporaryFolder, _ body: @Sendable (Clients) async throws -> Result) async throws -> Result {
        let ingest = IngestConfiguration.forTesting(directory: "\(folder.path)/ingest", demoFleet: true)
        let alerting = AlertingConfiguration.forTesting(directory: "\(folder.path)/alerting")
        return try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
        } _: { ingestRunning in
            try await RunningApplication.with(service: "alerting") { configuration in
                try AlertingBuilder.buildApplication(configuration: configuration, alerting: alerting, logger: logger)
            } _: { alertingRunning in
                let scheduling = try SchedulingConfiguration(
                    dataDirectory: "\(folder.path)/scheduling",
                    environment: Environment([
                        "INGEST_RPC_PORT": "\(ingestRunning.port)", "ALERTING_RPC_PORT": "\(alertingRunning.port)",
                        "PM_RPC_TOKEN": RunningApplication.testToken,
                    ]))
                return try await RunningApplication.with(service: "scheduling") { configuration in
                    try SchedulingBuilder.buildApplication(configuration: configuration, scheduling: scheduling, logger: logger)
                } _: { running in
                    try await body(
                        Clients(
                            scheduling: SchedulingServiceClient(running.client), alerting: AlertingServiceClient(alertingRunning.client)))
                }
            }
        }
    }

    static func create(_ machine: Int64 = 1, date: String = "2026-12-20", priority: Priority = .high, key: String = "") -> CreateTaskRequest
    {
        CreateTaskRequest(
            equipmentID: machine, task: "Replace hydraulic seals", scheduledDate: date, priority: priority, idempotencyKey: key)
    }
}
