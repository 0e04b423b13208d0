import Foundation
import GRDB
import PMProto
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The single writer of readings. Concurrent callers queue their readings; the writer commits
/// everything queued in one transaction (group commit) and answers each caller only after that
/// commit, so an acknowledged reading is on disk. Past `maxPendingReadings` callers are refused
/// instead of queueing without bound.
final class ReadingWriter: Service, Sendable {
    /// What became of one reading handed to ``write(_:)``.
    struct Outcome: Equatable, Sendable {
        var sequence: UInt64
        var duplicate: Bool
        /// The stored reading's time (for a duplicate, the time of the reading it repeats).
        var timestampMs: Int64
    }

    private struct Job {
        let readings: [Reading]
        let continuation: CheckedContinuation<[Outcome], any Error>
    }

    private struct State {
        var jobs: [Job] = []
        var pendingReadings = 0
        var accepting = true
    }

    private let database: DatabasePool
    private let notifier: SequenceNotifier
    private let maxPendingReadings: Int
    private let state = Mutex(State())
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let timestamps: ServerTimestamps

    init(database: DatabasePool, notifier: SequenceNotifier, maxPendingReadings: Int) {
        self.database = database
        self.notifier = notifier
        self.maxPendingReadings = maxPendingReadings
        (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        timestamps = ServerTimestamps()
    }

    /// Stores valid readings; returns, per reading, its sequence and whether it was already stored.
    func write(_ readings: [Reading]) async throws -> [Outcome] {
        try await withCheckedThrowingContinuation { continuation in
            let refusal = state.withLock { state -> ServiceError? in
                guard state.accepting else {
                    return Self.overloaded(pending: state.pendingReadings, limit: maxPendingReadings)
                }
                // One oversized batch is let through on an idle writer, so any batch can eventually pass.
                if state.pendingReadings > 0, state.pendingReadings + readings.count > maxPendingReadings {
                    return Self.overloaded(pending: state.pendingReadings, limit: maxPendingReadings)
                }
                state.jobs.append(Job(readings: readings, continuation: continuation))
                state.pendingReadings += readings.count
                return nil
            }
            if let refusal {
                continuation.resume(throwing: refusal)
            } else {
                ring.yield()
            }
        }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in self.doorbell { await self.commitQueued() }
        } onGracefulShutdown: {
            self.ring.finish()
        }
        // The RPC server has already drained (it stops first); commit anything left, then refuse.
        state.withLock { $0.accepting = false }
        await commitQueued()
    }

    private func commitQueued() async {
        let jobs = state.withLock { state -> [Job] in
            defer { state.jobs.removeAll(keepingCapacity: true) }
            return state.jobs
        }
        guard !jobs.isEmpty else { return }
        let readingCount = jobs.reduce(0) { $0 + $1.readings.count }
        do {
            let outcomes = try await database.write { [timestamps] db in
                try Self.insert(jobs.map(\.readings), into: db, timestamps: timestamps)
            }
            state.withLock { $0.pendingReadings -= readingCount }
            if let highest = outcomes.lazy.flatMap({ $0 }).filter({ !$0.duplicate }).map(\.sequence).max() {
                notifier.committed(upTo: highest)
            }
            for (job, outcome) in zip(jobs, outcomes) { job.continuation.resume(returning: outcome) }
        } catch {
            state.withLock { $0.pendingReadings -= readingCount }
            timestamps.forget()
            for job in jobs { job.continuation.resume(throwing: error) }
        }
    }

    private static func insert(_ batches: [[Reading]], into db: Database, timestamps: ServerTimestamps) throws -> [[Outcome]] {
        let insert = try db.cachedStatement(sql: StoredReading.insertSQL)
        let nowMs = WallClock.nowMs()
        var inserted = 0
        var minutes = MinuteTotals()
        let outcomes = try batches.map { readings in
            try readings.map { reading -> Outcome in
                let timestamp =
                    try reading.timestampMs != 0
                    ? reading.timestampMs
                    : timestamps.next(for: reading.equipmentID, nowMs: nowMs, db: db)
                try insert.execute(arguments: StoredReading.insertArguments(reading, timestamp: timestamp))
                if db.changesCount == 1 {
                    inserted += 1
                    minutes.add(timestampMs: timestamp, efficiency: reading.efficiency)
                    timestamps.observe(timestamp, for: reading.equipmentID)
                    return Outcome(sequence: UInt64(db.lastInsertedRowID), duplicate: false, timestampMs: timestamp)
                }
                let existing = try existingReading(of: reading, timestamp: timestamp, db: db)
                return Outcome(sequence: existing.sequence, duplicate: true, timestampMs: existing.timestampMs)
            }
        }
        try db.execute(sql: "UPDATE counters SET value = value + ? WHERE name = 'readings'", arguments: [inserted])
        try minutes.save(in: db)
        return outcomes
    }

    /// The sequence and time of the stored reading a duplicate collided with: same machine and reading
    /// id, or same machine and time.
    private static func existingReading(of reading: Reading, timestamp: Int64, db: Database) throws -> (
        sequence: UInt64, timestampMs: Int64
    ) {
        if !reading.readingID.isEmpty,
            let row = try Row.fetchOne(
                db, sql: "SELECT sequence, timestamp_ms FROM readings WHERE equipment_id = ? AND reading_id = ?",
                arguments: [reading.equipmentID, reading.readingID])
        {
            return (UInt64(row["sequence"] as Int64), row["timestamp_ms"])
        }
        let sequence = try Int64.fetchOne(
            db, sql: "SELECT sequence FROM readings WHERE equipment_id = ? AND timestamp_ms = ?",
            arguments: [reading.equipmentID, timestamp]
        )
        return (UInt64(sequence ?? 0), timestamp)
    }
}

/// Timestamps for readings sent without one: the server's clock, but strictly after the machine's newest
/// stored reading, so two readings of one batch never collide on (machine, time).
final class ServerTimestamps: Sendable {
    private let newest = Mutex<[Int64: Int64]>([:])

    func next(for equipment: Int64, nowMs: Int64, db: Database) throws -> Int64 {
        let known = newest.withLock { $0[equipment] }
        let latest =
            try known
            ?? Int64.fetchOne(db, sql: "SELECT MAX(timestamp_ms) FROM readings WHERE equipment_id = ?", arguments: [equipment])
            ?? 0
        newest.withLock { $0[equipment] = latest }
        return max(nowMs, latest + 1)
    }

    /// Records a stored timestamp of a machine whose newest timestamp is being tracked.
    func observe(_ timestamp: Int64, for equipment: Int64) {
        newest.withLock { newest in
            if let current = newest[equipment], timestamp > current { newest[equipment] = timestamp }
        }
    }

    /// After a failed transaction the cache may hold timestamps that were rolled back.
    func forget() {
        newest.withLock { $0.removeAll() }
    }
}

extension ReadingWriter {
    static func overloaded(pending: Int, limit: Int) -> ServiceError {
        .resourceExhausted("ingest is saturated: \(pending) readings waiting to be written (limit \(limit)); retry shortly")
    }
}
