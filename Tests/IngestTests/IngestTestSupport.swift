import Foundation
import Ingest
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

/// A temporary data folder, removed when the test ends.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum IngestTest {
    static let token = "ingest-test-token"

    static func application(_ ingest: IngestConfiguration) throws -> RPCServiceApplication {
        let configuration = try RPCServiceConfiguration(
            name: "ingest", defaultPort: 0, environment: Environment(["PM_RPC_TOKEN": token])
        )
        var logger = Logger(label: "ingest-test")
        logger.logLevel = .warning
        return try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
    }

    /// Runs Ingest in-process on a fresh database in `folder` (with the demo fleet unless told otherwise).
    static func with<Result: Sendable>(
        folder: TemporaryFolder,
        demoFleet: Bool = true,
        configure: (inout IngestConfiguration) -> Void = { _ in },
        _ body: @Sendable (IngestServiceClient) async throws -> Result
    ) async throws -> Result {
        var ingest = IngestConfiguration.forTesting(directory: folder.path, demoFleet: demoFleet)
        configure(&ingest)
        return try await RunningApplication.with(try application(ingest)) { running in
            try await body(IngestServiceClient(running.client))
        }
    }

    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func reading(_ equipment: Int64, at timestamp: Int64 = 0, temperature: Double = 70, id: String = "") -> Reading {
        Reading(
            equipmentID: equipment, timestampMs: timestamp, temperature: temperature, vibration: 2.5, pressure: 101,
            powerConsumption: 15, efficiency: 91, readingID: id
        )
    }
}

