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
    /// Runs Ingest (with the demo fleet: machines 1 to 6) and Scheduling, pointed at it, in-process.
    static func with<Result: Sendable>(
        folder: TemporaryFolder, _ body: @Sendable (SchedulingServiceClient) async throws -> Result
    ) async throws -> Result {
        let logger = {
            var logger = Logger(label: "scheduling-test")
            logger.logLevel = .warning
            return logger
        }()
        let ingest = IngestConfiguration.forTesting(directory: "\(folder.path)/ingest", demoFleet: true)
        return try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
        } _: { ingestRunning in
            let scheduling = try SchedulingConfiguration(
                dataDirectory: "\(folder.path)/scheduling",
                environment: Environment([
                    "INGEST_RPC_HOST": "127.0.0.1", "INGEST_RPC_PORT": "\(ingestRunning.port)",
                    "PM_RPC_TOKEN": RunningApplication.testToken,
                ]))
            return try await RunningApplication.with(service: "scheduling") { configuration in
                try SchedulingBuilder.buildApplication(configuration: configuration, scheduling: scheduling, logger: logger)
            } _: { running in
                try await body(SchedulingServiceClient(running.client))
            }
        }
    }

    static func create(_ machine: Int64 = 1, date: String = "2026-12-20", priority: Priority = .high, key: String = "") -> CreateTaskRequest
    {
        CreateTaskRequest(
            equipmentID: machine, task: "Replace hydraulic seals", scheduledDate: date, priority: priority, idempotencyKey: key)
    }
}
