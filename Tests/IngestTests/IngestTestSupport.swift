import Foundation
import Ingest
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

enum IngestTest {
    /// Runs Ingest in-process on a fresh database in `folder` (with the demo fleet unless told otherwise).
    static func with<Result: Sendable>(
        folder: TemporaryFolder,
        demoFleet: Bool = true,
        configure: (inout IngestConfiguration) -> Void = { _ in },
        _ body: @Sendable (IngestServiceClient) async throws -> Result
    ) async throws -> Result {
        var ingest = IngestConfiguration.forTesting(directory: folder.path, demoFleet: demoFleet)
        configure(&ingest)
        var logger = Logger(label: "ingest-test")
        logger.logLevel = .warning
        return try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
        } _: { running in
            try await body(IngestServiceClient(running.client))
        }
    }

    static var nowMs: Int64 { WallClock.nowMs() }

    static func reading(_ equipment: Int64, at timestamp: Int64 = 0, temperature: Double = 70, id: String = "") -> Reading {
        Reading(
            equipmentID: equipment, timestampMs: timestamp, temperature: temperature, vibration: 2.5, pressure: 101,
            powerConsumption: 15, efficiency: 91, readingID: id
        )
    }
}
