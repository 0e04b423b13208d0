import Detectors
import Foundation
import GRDB
import PMProto

/// What scoring one message of readings decided, written in one transaction with the machines' models
/// and the stream's cursor: predictions for readings in alarm, alerts to raise and statuses to set (both
/// through the ``Outbox``).
struct ScoredBatch {
    static let cursor = "ingest.stream_readings"

    private(set) var predictions: [(sequence: UInt64, prediction: Prediction)] = []
    private(set) var calls: [Outbox.Call] = []
    private(set) var readings = 0
    let advice: SensorAdvice

    init(advice: SensorAdvice) {
        self.advice = advice
    }

    mutating func add(_ reading: Reading, _ outcome: MachineModels.Outcome) {
        readings += 1
        let verdict = outcome.verdict
        if let status = outcome.newStatus {
            calls.append(.setStatus(UpdateEquipmentRequest(equipmentID: reading.equipmentID, status: status)))
        }
        guard verdict.isAlarm else { return }
        let explanation = Explanation(
            verdict: verdict, reading: reading, health: outcome.health, advice: advice, machineType: outcome.machineType)
        predictions.append((reading.sequence, explanation.prediction))
        if verdict.raisesEvent { calls.append(.raiseAlert(explanation.alert(sequence: reading.sequence))) }
    }

    /// Commits the batch, and the cursor at `sequence` (the message's last reading).
    func commit(models: MachineModels, through sequence: UInt64, in db: Database) throws {
        try models.saveChanged(in: db)
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO predictions (equipment_id, timestamp_ms, sequence, body) VALUES (?, ?, ?, ?)")
        for (sequence, prediction) in predictions {
            try insert.execute(arguments: [
                prediction.equipmentID, prediction.timestampMs, Int64(sequence), Data(prediction.serializedBytes()),
            ])
        }
        for call in calls { try Outbox.enqueue(call, in: db) }
        try db.execute(sql: "UPDATE counters SET value = value + ? WHERE name = 'readings_scored'", arguments: [readings])
        try db.execute(
            sql: "INSERT INTO cursors (name, sequence) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET sequence = excluded.sequence",
            arguments: [Self.cursor, Int64(sequence)])
    }
}
