import Detection
import Foundation
import PMMath
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

@Suite("Detection service")
struct DetectionServiceTests {
    static func scored(_ client: DetectionServiceClient) async throws -> UInt64 {
        try await client.detectionStats(DetectionStatsRequest()).readingsScored
    }

    @Test("readings are scored as they arrive; a failing machine gets predictions, one alert of its real problem, and a status")
    func anomalyToAlert() async throws {
        let folder = try TemporaryFolder()
        let start = DetectionTest.dayAgoMs
        try await DetectionTest.withPeers(folder: folder) { peers in
            try await DetectionTest.withDetection(folder: folder, peers: peers) { detection in
                try await DetectionTest.record((0..<200).map { DetectionTest.healthy(1, second: $0, start: start) }, peers.ingest)
                #expect(try await eventually { try await Self.scored(detection) == 200 })
                let model = try #require(try await detection.getModelInfo(ModelInfoRequest(equipmentID: 1)).models.first)
                #expect(model.algorithm == "windowed_mahalanobis_load_relation" && model.threshold > 0 && model.shardIndex == 0)
                #expect(try await detection.listPredictions(ListPredictionsRequest(equipmentID: 1)).predictions.isEmpty)
                #expect(try await peers.ingest.getEquipment(GetEquipmentRequest(equipmentID: 1)).equipment?.status == .healthy)

                // A fault shows once it fills half the trailing window (and persists): 30 failing readings.
                try await DetectionTest.record((200..<230).map { DetectionTest.failing(1, second: $0, start: start) }, peers.ingest)
                #expect(try await eventually { try await Self.scored(detection) == 230 })
                let predictions = try await detection.listPredictions(ListPredictionsRequest(equipmentID: 1)).predictions
                #expect(predictions.count >= 10)
                let newest = try #require(predictions.first)
                #expect(newest.explanation.first?.feature == "vibration" && newest.explanation.first?.value == 9)
                // Far beyond twice the threshold: health 0, failure now.
                #expect(newest.healthScore == 0 && newest.predictedFailureDate == UTCDate.of(ms: newest.timestampMs), "\(newest)")
                #expect(
                    newest.recommendation.hasPrefix("vibration above this machine's normal (9.00, normally 2.") == true,
                    "\(newest.recommendation)")
                #expect(newest.recommendation.contains("inspect bearings"))
                #expect(
                    try await eventually {
                        try await peers.alerting.listAlerts(ListAlertsRequest(equipmentID: 1)).alerts.map(\.kind) == ["anomaly:vibration"]
                    })
                let alert = try #require(try await peers.alerting.listAlerts(ListAlertsRequest(equipmentID: 1)).alerts.first)
                #expect(alert.source == "detection" && alert.sensors.contains("vibration"))
                #expect(
                    try await eventually {
                        let status = try await peers.ingest.getEquipment(GetEquipmentRequest(equipmentID: 1)).equipment?.status
                        return status == .warning || status == .critical
                    })

                // Healthy again: the status follows.
                try await DetectionTest.record((230..<260).map { DetectionTest.healthy(1, second: $0, start: start) }, peers.ingest)
                #expect(
                    try await eventually {
                        try await peers.ingest.getEquipment(GetEquipmentRequest(equipmentID: 1)).equipment?.status == .healthy
                    })
                let stats = try await detection.detectionStats(DetectionStatsRequest(sinceMs: start))
                let all = try await detection.listPredictions(ListPredictionsRequest(equipmentID: 1, limit: 1000)).predictions
                #expect(stats.modelsTrained == 1 && stats.predictionsSince == UInt64(all.count))
            }
        }
    }

    @Test("a new maintenance date in Ingest (a completed task) starts that machine's model afresh, and only that machine's")
    func maintenanceRestartsModel() async throws {
        let folder = try TemporaryFolder()
        // Noon yesterday: the readings' minutes all fall on one date, whenever the test runs.
        let start = WallClock.nowMs() / 86_400_000 * 86_400_000 - 12 * 3_600_000
        try await DetectionTest.withPeers(folder: folder) { peers in
            try await DetectionTest.withDetection(folder: folder, peers: peers, settings: ["DETECTION_EQUIPMENT_POLL_SECONDS": "1"]) {
                detection in
                func samples(_ machine: Int64) async throws -> UInt32 {
                    try await detection.getModelInfo(ModelInfoRequest(equipmentID: machine)).models.first?.trainingSamples ?? 0
                }
                var second = 0
                func feed(_ count: Int) async throws {
                    let readings = (second..<second + count).flatMap { at in
                        [Int64(1), 2].map { machine in DetectionTest.healthy(machine, second: at, start: start) }
                    }
                    second += count
                    try await DetectionTest.record(readings, peers.ingest)
                    let total = UInt64(2 * second)
                    #expect(try await eventually { try await Self.scored(detection) == total })
                }
                // Both models ready, and the dates as they are seen (seeing a date first starts nothing).
                try await feed(300)
                try await Task.sleep(for: .seconds(2))
                try await feed(10)
                let before = (one: try await samples(1), two: try await samples(2))
                #expect(before.one > 150 && before.two > 150, "\(before)")

                // Maintained the day after these readings were taken: they are a backlog from before it.
                let readingsDay = UTCDate.of(ms: start)
                _ = try await peers.ingest.updateEquipment(
                    UpdateEquipmentRequest(equipmentID: 1, lastMaintenance: UTCDate.of(ms: start + 86_400_000)))
                try await feed(5)
                try await Task.sleep(for: .seconds(2))
                try await feed(5)
                #expect(try await samples(1) > before.one, "readings from before the maintenance day keep the old model")

                _ = try await peers.ingest.updateEquipment(UpdateEquipmentRequest(equipmentID: 1, lastMaintenance: readingsDay))
                var restarted = false
                for _ in 0..<60 where !restarted {
                    try await feed(5)
                    restarted = try await samples(1) < before.one
                    if !restarted { try await Task.sleep(for: .milliseconds(500)) }
                }
                #expect(restarted, "machine 1's model starts again after its maintenance")
                #expect(try await samples(1) < 100)
                #expect(try await samples(2) > before.two, "machine 2 keeps learning")
            }
        }
    }

    @Test("advice comes from the machine's type, and an advice file adds to and replaces the built-in table")
    func adviceByMachineType() async throws {
        let folder = try TemporaryFolder()
        let file = "\(folder.path)/advice.json"
        try Data(#"{"hydraulic_press": {"vibration": {"above": "check the ram guides and the mounting bolts"}}}"#.utf8)
            .write(to: URL(fileURLWithPath: file))
        let start = DetectionTest.dayAgoMs
        try await DetectionTest.withPeers(folder: folder) { peers in
            let settings = ["DETECTION_EQUIPMENT_POLL_SECONDS": "1", "DETECTION_ADVICE_FILE": file]
            try await DetectionTest.withDetection(folder: folder, peers: peers, settings: settings) { detection in
                // Machine 1 is a hydraulic press (the file's entry), 2 a CNC mill (built in), 3 an air
                // compressor (no vibration entry of its own: the advice for any type).
                let machines: [Int64] = [1, 2, 3]
                try await DetectionTest.record(
                    (0..<200).flatMap { at in machines.map { DetectionTest.healthy($0, second: at, start: start) } }, peers.ingest)
                #expect(try await eventually { try await Self.scored(detection) == 600 })
                let expected = [
                    1: "check the ram guides and the mounting bolts", 2: "check spindle bearings, tool wear and workpiece clamping",
                    3: "inspect bearings, alignment and lubrication",
                ]
                func recommendations() async throws -> [Int64: String] {
                    var result: [Int64: String] = [:]
                    for machine in machines {
                        result[machine] =
                            try await detection.listPredictions(ListPredictionsRequest(equipmentID: machine)).predictions.first?
                            .recommendation
                    }
                    return result
                }
                // The machines stay in alarm, each failing reading a new prediction: fail until the types,
                // read every second, show in the advice (a generous limit on a loaded machine).
                var second = 200
                var latest: [Int64: String] = [:]
                for _ in 0..<120 {
                    try await DetectionTest.record(
                        (second..<second + 10).flatMap { at in machines.map { DetectionTest.failing($0, second: at, start: start) } },
                        peers.ingest)
                    second += 10
                    let total = UInt64(3 * second)
                    #expect(try await eventually { try await Self.scored(detection) == total })
                    latest = try await recommendations()
                    if machines.allSatisfy({ latest[$0]?.contains(expected[Int($0)]!) == true }) { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                for machine in machines {
                    #expect(latest[machine]?.contains(expected[Int(machine)]!) == true, "\(machine): \(latest[machine] ?? "none")")
                }
            }
        }
    }

    @Test(
        "an advice file that is not as the format says stops Detection at start, naming the variable and the entry",
        arguments: [
            (#"{"cnc_mill": {"vibrations": {"above": "x"}}}"#, "cnc_mill.vibrations: unknown sensor"),
            (#"{"cnc_mill": {"vibration": {"upwards": "x"}}}"#, "cnc_mill.vibration.upwards: the direction"),
            (#"{"cnc_mill": {"vibration": {"above": ""}}}"#, "cnc_mill.vibration.above: must be a non-empty string"),
            (#"["cnc_mill"]"#, "is not a JSON object"),
        ])
    func badAdviceFile(content: String, problem: String) throws {
        let folder = try TemporaryFolder()
        let file = "\(folder.path)/advice.json"
        try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        let environment = ServiceKit.Environment(["DETECTION_ADVICE_FILE": file])
        #expect {
            _ = try DetectionConfiguration(dataDirectory: folder.path, environment: environment)
        } throws: { error in
            let text = "\(error)"
            return text.contains("DETECTION_ADVICE_FILE") && text.contains(problem)
        }
    }

    @Test("a restart resumes from the committed reading with the models as they were: the same predictions as a run without one")
    func restartIsInvisible() async throws {
        let start = DetectionTest.dayAgoMs
        // Two machines, each warmed up by second 200; a fault on both from second 300, cut by the restart.
        let readings = (0..<400).map { second in
            (300..<316).contains(second) || (350..<356).contains(second)
                ? DetectionTest.failing(Int64(second % 2 + 1), second: second, start: start)
                : DetectionTest.healthy(Int64(second % 2 + 1), second: second, start: start)
        }
        // One run with a restart in the middle, one without, on the same readings.
        let restarted = try TemporaryFolder()
        let interrupted = try await DetectionTest.withPeers(folder: restarted) { peers in
            try await DetectionTest.withDetection(folder: restarted, peers: peers) { detection in
                try await DetectionTest.record(Array(readings[..<307]), peers.ingest)
                #expect(try await eventually { try await Self.scored(detection) == 307 })
            }
            try await DetectionTest.record(Array(readings[307...]), peers.ingest)
            return try await DetectionTest.withDetection(folder: restarted, peers: peers) { detection in
                #expect(try await eventually { try await Self.scored(detection) == 400 })
                return try await detection.listPredictions(ListPredictionsRequest(limit: 1000)).predictions
            }
        }
        let straight = try TemporaryFolder()
        let uninterrupted = try await DetectionTest.withPeers(folder: straight) { peers in
            try await DetectionTest.withDetection(folder: straight, peers: peers) { detection in
                try await DetectionTest.record(readings, peers.ingest)
                #expect(try await eventually { try await Self.scored(detection) == 400 })
                return try await detection.listPredictions(ListPredictionsRequest(limit: 1000)).predictions
            }
        }
        #expect(!uninterrupted.isEmpty)
        #expect(interrupted.map(\.timestampMs) == uninterrupted.map(\.timestampMs))
        #expect(interrupted.map(\.confidence) == uninterrupted.map(\.confidence))
    }

    @Test("the seed's mode: a model once 50 readings exist, trained on them, retrained every 50")
    func seedMode() async throws {
        let folder = try TemporaryFolder()
        let start = DetectionTest.dayAgoMs
        try await DetectionTest.withPeers(folder: folder) { peers in
            try await DetectionTest.withDetection(folder: folder, peers: peers, settings: ["DETECTION_DETECTOR": "seed"]) { detection in
                try await DetectionTest.record((0..<49).map { DetectionTest.healthy(2, second: $0, start: start) }, peers.ingest)
                #expect(try await eventually { try await Self.scored(detection) == 49 })
                #expect(try await detection.detectionStats(DetectionStatsRequest()).modelsTrained == 0)
                let early = try await detection.score(ScoreRequest(readings: [DetectionTest.healthy(2, second: 49, start: start)]))
                #expect(early.scores.first?.modelReady == false)

                try await DetectionTest.record((49..<120).map { DetectionTest.healthy(2, second: $0, start: start) }, peers.ingest)
                #expect(try await eventually { try await Self.scored(detection) == 120 })
                let model = try #require(try await detection.getModelInfo(ModelInfoRequest(equipmentID: 2)).models.first)
                #expect(model.algorithm == "isolation_forest" && model.trainingSamples == 100 && model.version == "seed-2")
                #expect(model.parameters.contains(ModelParameter(name: "contamination", value: "0.1")))
                let scores = try await detection.score(ScoreRequest(readings: [DetectionTest.failing(2, second: 120, start: start)]))
                #expect(scores.scores.first?.anomaly == true && scores.scores.first?.modelReady == true)
            }
        }
    }

    @Test("bad input to every call is INVALID_ARGUMENT naming the field; a machine of another replica is FAILED_PRECONDITION")
    func badInput() async throws {
        let folder = try TemporaryFolder()
        try await DetectionTest.withPeers(folder: folder) { peers in
            try await DetectionTest.withDetection(
                folder: folder, peers: peers, settings: ["DETECTION_SHARD_COUNT": "2", "DETECTION_SHARD_INDEX": "1"]
            ) { detection in
                let nan = {
                    var reading = DetectionTest.healthy(1, second: 0, start: 0)
                    reading.vibration = .nan
                    return reading
                }()
                let farFuture = Reading(equipmentID: 1, timestampMs: .max, temperature: 999, vibration: 9, pressure: 1, efficiency: 1)
                let cases: [(String, @Sendable () async throws -> Void)] = [
                    ("readings", { _ = try await detection.score(ScoreRequest()) }),
                    ("readings[0].vibration", { _ = try await detection.score(ScoreRequest(readings: [nan])) }),
                    ("readings[0].equipment_id", { _ = try await detection.score(ScoreRequest(readings: [Reading(equipmentID: 0)])) }),
                    ("readings[0].timestamp_ms", { _ = try await detection.score(ScoreRequest(readings: [farFuture])) }),
                    ("limit", { _ = try await detection.listPredictions(ListPredictionsRequest(limit: 5000)) }),
                    ("equipment_id", { _ = try await detection.listPredictions(ListPredictionsRequest(equipmentID: -1)) }),
                    ("since_ms", { _ = try await detection.listPredictions(ListPredictionsRequest(sinceMs: -5)) }),
                    ("equipment_id", { _ = try await detection.getModelInfo(ModelInfoRequest(equipmentID: -2)) }),
                ]
                for (field, call) in cases {
                    let error = await expectRPCError(.invalidArgument) { try await call() }
                    #expect(error?.metadata["field"] == field)
                }
                let elsewhere = await expectRPCError(.failedPrecondition) {
                    _ = try await detection.score(ScoreRequest(readings: [DetectionTest.healthy(2, second: 0, start: 0)]))
                }
                #expect(elsewhere?.message.contains("replica 0 of 2") == true)
                await expectRPCError(.notFound) { _ = try await detection.getModelInfo(ModelInfoRequest(equipmentID: 3)) }
            }
        }
    }

    @Test("three replicas score every machine exactly once between them")
    func threeReplicas() async throws {
        let folder = try TemporaryFolder()
        let start = DetectionTest.dayAgoMs
        try await DetectionTest.withPeers(folder: folder) { peers in
            let readings = (0..<600).map { DetectionTest.healthy(Int64($0 % 6 + 1), second: $0, start: start) }
            try await DetectionTest.record(readings, peers.ingest)
            let owned = try await withThrowingTaskGroup(of: (Int, [Int64], UInt64).self) { group in
                for index in 0..<3 {
                    group.addTask {
                        let replicaFolder = try TemporaryFolder()
                        let settings = ["DETECTION_SHARD_COUNT": "3", "DETECTION_SHARD_INDEX": "\(index)"]
                        return try await DetectionTest.withDetection(folder: replicaFolder, peers: peers, settings: settings) { detection in
                            #expect(try await eventually { try await Self.scored(detection) == 200 })
                            let machines = try await detection.getModelInfo(ModelInfoRequest()).models.map(\.equipmentID)
                            return (index, machines, try await Self.scored(detection))
                        }
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = ($1.1, $1.2) }
            }
            #expect(owned[0]?.0 == [3, 6] && owned[1]?.0 == [1, 4] && owned[2]?.0 == [2, 5])
            #expect(owned.values.map(\.1).reduce(0, +) == 600)
        }
    }
}
