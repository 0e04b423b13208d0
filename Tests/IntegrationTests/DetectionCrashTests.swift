import Detectors
import Foundation
import PMProto
import PMRPC
import PMServices
import ProcessTestSupport
import RPCTesting
import ServiceKit
import Testing

/// A Detection replica as a real process, killed with SIGKILL while readings stream in: after a
/// restart on the same files every reading is scored once, and the predictions and alerts are exactly
/// those of the detector run over the readings without interruption.
@Suite("Detection across a crash")
struct DetectionCrashTests {
    static let token = "detection-crash-token"

    static func start(_ executable: String, _ folder: TemporaryFolder, _ environment: [String: String] = [:]) async throws -> ServiceProcess
    {
        try await ServiceProcess.started(executable, folder: folder, token: token, environment: environment)
    }

    /// Two machines, one reading a second each; machine 1 fails twice, machine 2 once.
    static func readings(start: Int64) -> [Reading] {
        (0..<1200).map { second in
            let machine = Int64(second % 2 + 1)
            let failing = (500..<540).contains(second) || (900..<920).contains(second) && machine == 1
            let wave = { (scale: Double, phase: Double) in scale * sin(Double(second) * 0.37 + phase) }
            return Reading(
                equipmentID: machine, timestampMs: start + Int64(second) * 1000, temperature: 70 + wave(1.5, 0) + (failing ? 8 : 0),
                vibration: failing ? 9 : 2.5 + wave(0.15, 1), pressure: 100 + wave(2, 2), powerConsumption: 50 + wave(1.5, 3),
                efficiency: 92 + wave(1, 4))
        }
    }

    @Test("kill -9 mid-stream: after the restart every reading is scored once; predictions and alerts as without the crash")
    func killMidStream() async throws {
        let folder = try TemporaryFolder()
        let readings = Self.readings(start: WallClock.nowMs() - 86_400_000)
        let ingest = try await Self.start("ingest", folder)
        let alerting = try await Self.start("alerting", folder)
        let peers = ["INGEST_RPC_PORT": "\(ingest.port)", "ALERTING_RPC_PORT": "\(alerting.port)"]
        let ingestClient = IngestServiceClient(ingest.rpcClient(token: Self.token))
        let alertingClient = AlertingServiceClient(alerting.rpcClient(token: Self.token))

        let first = try await Self.start("detection", folder, peers)
        let firstClient = DetectionServiceClient(first.rpcClient(token: Self.token))
        for chunk in stride(from: 0, to: 700, by: 50) {
            _ = try await ingestClient.recordReadings(RecordReadingsRequest(readings: Array(readings[chunk..<chunk + 50])))
        }
        // Killed while it works through the readings (or just after: either way nothing may be lost).
        #expect(try await eventually(timeout: .seconds(60)) { try await firstClient.detectionStats().readingsScored > 0 })
        kill(first.process.processIdentifier, SIGKILL)
        await firstClient.rpcClient.close()
        #expect(try await eventually { !first.process.isRunning })
        _ = try await ingestClient.recordReadings(RecordReadingsRequest(readings: Array(readings[700...])))

        let second = try await Self.start("detection", folder, peers)
        let client = DetectionServiceClient(second.rpcClient(token: Self.token))
        #expect(try await eventually(timeout: .seconds(60)) { try await client.detectionStats().readingsScored == 1200 })

        // The same detector over the same readings, uninterrupted.
        var detectors = [Int64: any Detector]()
        var alarms: [Int64] = []
        var events = 0
        for reading in readings {
            var detector = detectors[reading.equipmentID] ?? DetectorKind.default.make(featureCount: 5)
            let verdict = detector.observe([
                reading.temperature, reading.vibration, reading.pressure, reading.powerConsumption, reading.efficiency,
            ])
            detectors[reading.equipmentID] = detector
            if verdict.isAlarm { alarms.append(reading.timestampMs) }
            if verdict.raisesEvent { events += 1 }
        }
        let predictions = try await client.listPredictions(ListPredictionsRequest(limit: 1000)).predictions
        let expectedEvents = events
        #expect(!alarms.isEmpty && expectedEvents >= 3)
        #expect(predictions.map(\.timestampMs).sorted() == alarms.sorted())
        #expect(
            try await eventually(timeout: .seconds(60)) {
                let alerts = try await alertingClient.listAlerts(ListAlertsRequest(limit: 500)).alerts.filter { $0.source == "detection" }
                return alerts.map { Int($0.occurrences) }.reduce(0, +) == expectedEvents
            })

        await client.rpcClient.close()
        await ingestClient.rpcClient.close()
        await alertingClient.rpcClient.close()
        #expect(try await second.terminate() == 0)
        #expect(try await alerting.terminate() == 0)
        #expect(try await ingest.terminate() == 0)
    }
}
