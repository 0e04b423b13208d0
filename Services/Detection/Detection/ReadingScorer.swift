import GRDB
import Logging
import Metrics
import PMProto
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle

/// Follows Ingest's StreamReadings for this replica's shard from the last sequence it committed, and
/// scores each reading with its machine's detector. Each stream message commits in one transaction:
/// the detectors' new state, predictions, outbox calls and the cursor. A restart (or a crash) resumes
/// from that cursor with the detectors as they were then, so no reading is left unscored and none is
/// scored twice.
struct ReadingScorer: Service {
    let database: DatabasePool
    let ingest: IngestServiceClient
    let models: MachineModels
    let shards: DetectionShards
    let advice: SensorAdvice
    /// Signalled when a batch queued outbox calls, so that they go out at once.
    let outboxWakeup: Wakeup
    let logger: Logger
    func run() async throws {
        try await ResumableFollow(
            name: "Ingest's readings", logger: logger, committed: committedSequence, follow: follow(after:),
            // What is in memory may be ahead of what committed: the stream restarts from the commit.
            afterFailure: { try models.reload(from: database) }
        ).run()
    }

    private func follow(after sequence: UInt64) async throws {
        let request = StreamReadingsRequest(
            afterSequence: sequence, shardCount: UInt32(shards.count), shardIndex: UInt32(shards.count == 1 ? 0 : shards.index))
        try await ingest.streamReadings(request) { stream in
            for try await message in stream {
                var batch = ScoredBatch(advice: advice)
                for reading in message.readings where shards.owns(reading.equipmentID) {
                    batch.add(reading, models.observe(reading))
                }
                guard let last = message.readings.last?.sequence else { continue }
                try await database.write { [batch] db in try batch.commit(models: models, through: last, in: db) }
                if !batch.calls.isEmpty { outboxWakeup.signal() }
                Counter(label: "pm_readings_scored_total").increment(by: batch.readings)
                Counter(label: "pm_anomalies_detected_total").increment(by: batch.predictions.count)
            }
        }
    }

    func committedSequence() async throws -> UInt64 {
        UInt64(
            try await database.read { db in
                try Int64.fetchOne(db, sql: "SELECT sequence FROM cursors WHERE name = ?", arguments: [ScoredBatch.cursor])
            } ?? 0)
    }
}
