import Detection
import Foundation
import Ingest
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit

/// Readings scored per second by one Detection replica, end to end: Ingest holds `readings` readings of
/// `machines` machines, then a replica starts and follows the stream until it has scored them all
/// (models, predictions and cursor committed per stream message).
enum ScoringThroughput {
    static func run(detector: String, readings count: Int, machines: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("detection-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let logger = {
            var logger = Logger(label: "detection-bench")
            logger.logLevel = .error
            return logger
        }()
        var ingestSettings = IngestConfiguration.forTesting(directory: "\(folder)/ingest")
        ingestSettings.durability = .normal
        try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingestSettings, logger: logger)
        } _: { ingest in
            let client = IngestServiceClient(ingest.client)
            try await load(client, readings: count, machines: machines)
            let detection = try DetectionConfiguration(
                dataDirectory: "\(folder)/detection",
                environment: Environment([
                    "INGEST_RPC_PORT": "\(ingest.port)", "ALERTING_RPC_PORT": "1", "DETECTION_DETECTOR": detector,
                    "PM_RPC_TOKEN": RunningApplication.testToken,
                ]))
            let start = ContinuousClock.now
            try await RunningApplication.with(service: "detection") { configuration in
                try DetectionBuilder.buildApplication(configuration: configuration, detection: detection, logger: logger)
            } _: { running in
                let stats = DetectionServiceClient(running.client)
                while try await stats.detectionStats().readingsScored < UInt64(count) { try await Task.sleep(for: .milliseconds(20)) }
                let seconds = (ContinuousClock.now - start).inSeconds
                print(
                    String(
                        format:
                            "Throughput, %@ detector: %d readings of %d machines scored from Ingest's stream in %.2f s: %.0f readings/s per replica",
                        detector, count, machines, seconds, Double(count) / seconds))
            }
        }
    }

    static func load(_ client: IngestServiceClient, readings count: Int, machines: Int) async throws {
        for id in 0..<machines {
            _ = try await client.registerEquipment(
                RegisterEquipmentRequest(equipment: Equipment(id: Int64(1_000 + id), name: "Bench \(id)", type: "pump")))
        }
        let start = WallClock.nowMs() - Int64(count / machines + 1) * 1000
        for chunk in stride(from: 0, to: count, by: 20_000) {
            let rows = (chunk..<min(chunk + 20_000, count)).map { index in
                let second = Double(index / machines)
                return Reading(
                    equipmentID: Int64(index % machines + 1_000), timestampMs: start + Int64(index / machines) * 1000,
                    temperature: 70 + 2 * sin(second / 30), vibration: 2.5 + 0.2 * sin(second / 7), pressure: 100 + 3 * cos(second / 11),
                    powerConsumption: 50 + 2 * sin(second / 13), efficiency: 92 + cos(second / 17))
            }
            _ = try await client.recordReadings(RecordReadingsRequest(columns: ReadingColumns(rows)))
        }
    }
}
