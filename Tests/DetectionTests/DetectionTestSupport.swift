import Alerting
import Detection
import Foundation
import Ingest
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

enum DetectionTest {
    static let logger = {
        var logger = Logger(label: "detection-test")
        logger.logLevel = .error
        return logger
    }()

    struct Clients: Sendable {
        let ingest: IngestServiceClient
        let alerting: AlertingServiceClient
        let ingestPort: Int
        let alertingPort: Int
    }

    /// Runs Ingest (demo fleet: machines 1 to 6) and Alerting in-process with their files in `folder`.
    static func withPeers<Result: Sendable>(folder: TemporaryFolder, _ body: @Sendable (Clients) async throws -> Result) async throws
        -> Result
    {
        let ingest = IngestConfiguration.forTesting(directory: "\(folder.path)/ingest", demoFleet: true)
        let alerting = AlertingConfiguration.forTesting(directory: "\(folder.path)/alerting")
        return try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
        } _: { ingestRunning in
            try await RunningApplication.with(service: "alerting") { configuration in
                try AlertingBuilder.buildApplication(configuration: configuration, alerting: alerting, logger: logger)
            } _: { alertingRunning in
                try await body(
                    Clients(
                        ingest: IngestServiceClient(ingestRunning.client), alerting: AlertingServiceClient(alertingRunning.client),
                        ingestPort: ingestRunning.port, alertingPort: alertingRunning.port))
            }
        }
    }

    /// Runs a Detection replica against `peers`, with its files in `folder` and `settings` added to its
    /// environment (DETECTION_DETECTOR, DETECTION_SHARD_COUNT, ...).
    static func withDetection<Result: Sendable>(
        folder: TemporaryFolder, peers: Clients, settings: [String: String] = [:],
        _ body: @Sendable (DetectionServiceClient) async throws -> Result
    ) async throws -> Result {
        let environment = Environment(
            settings.merging([
                "INGEST_RPC_PORT": "\(peers.ingestPort)", "ALERTING_RPC_PORT": "\(peers.alertingPort)",
                "PM_RPC_TOKEN": RunningApplication.testToken,
            ]) { _, fixed in fixed })
        let detection = try DetectionConfiguration(dataDirectory: "\(folder.path)/detection", environment: environment)
        return try await RunningApplication.with(service: "detection") { configuration in
            try DetectionBuilder.buildApplication(configuration: configuration, detection: detection, logger: logger)
        } _: { running in
            try await body(DetectionServiceClient(running.client))
        }
    }

    /// A healthy reading of machine `machine` at second `second` after `start`, with a little noise
    /// from `noise` (deterministic per second).
    static func healthy(_ machine: Int64, second: Int, start: Int64) -> Reading {
        let wave = { (scale: Double, phase: Double) in scale * sin(Double(second) * 0.37 + phase) }
        return Reading(
            equipmentID: machine, timestampMs: start + Int64(second) * 1000, temperature: 70 + wave(1.5, 0),
            vibration: 2.5 + wave(0.15, 1), pressure: 100 + wave(2, 2), powerConsumption: 50 + wave(1.5, 3), efficiency: 92 + wave(1, 4))
    }

    /// A reading with vibration far above normal.
    static func failing(_ machine: Int64, second: Int, start: Int64) -> Reading {
        var reading = healthy(machine, second: second, start: start)
        reading.vibration = 9
        reading.temperature += 8
        return reading
    }

    static func record(_ readings: [Reading], _ ingest: IngestServiceClient) async throws {
        let response = try await ingest.recordReadings(RecordReadingsRequest(readings: readings))
        #expect(response.accepted == UInt32(readings.count))
    }

    static var dayAgoMs: Int64 { WallClock.nowMs() - 86_400_000 }
}
