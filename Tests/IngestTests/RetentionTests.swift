import Foundation
import GRDB
import Logging
import PMProto
import PMRPC
import RPCTesting
import Testing

@testable import Ingest

@Suite("Retention")
struct RetentionTests {
    @Test("deletes only readings older than the retention age, in chunks, and keeps the count right")
    func deletesOnlyOld() async throws {
        let folder = try TemporaryFolder()
        let day: Int64 = 86_400_000
        let now = IngestTest.nowMs
        try await IngestTest.with(folder: folder) { client async throws in
            // 4,500 readings 100 days old (more than two chunks), 500 from yesterday.
            let old = (0..<4500).map { IngestTest.reading(Int64($0 % 6 + 1), at: now - 100 * day + Int64($0) * 1000) }
            let recent = (0..<500).map { IngestTest.reading(Int64($0 % 6 + 1), at: now - day + Int64($0) * 1000) }
            _ = try await client.recordReadings(RecordReadingsRequest(readings: old + recent))
        }
        var configuration = IngestConfiguration.forTesting(directory: folder.path)
        configuration.retention = .seconds(90 * 86_400)
        let storage = try IngestDatabase.open(configuration)
        let database = storage.pool
        let job = RetentionJob(database: database, retention: configuration.retention!, logger: Logger(label: "test"))
        #expect(try await job.deleteExpired(nowMs: now) == 4500)
        let (remaining, oldest, counter) = try await database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM readings")!,
                try Int64.fetchOne(db, sql: "SELECT MIN(timestamp_ms) FROM readings")!,
                try Int.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'readings'")!
            )
        }
        #expect(remaining == 500)
        #expect(oldest >= now - day)
        #expect(counter == 500)
        #expect(try await job.deleteExpired(nowMs: now) == 0)
        // The per-minute totals forgot the deleted readings too.
        let totals = try await database.read { db in try MinuteTotals.since(0, in: db) }
        #expect(totals.count == 500)
    }

    @Test("readings since a time, counted from per-minute totals, match a count of the readings themselves")
    func minuteTotals() async throws {
        let folder = try TemporaryFolder()
        let now = IngestTest.nowMs
        // 1,000 readings 7.3 s apart: minutes hold several each, and the bounds below fall inside minutes.
        let readings = (0..<1000).map { index in
            var reading = IngestTest.reading(Int64(index % 6 + 1), at: now - 7_300_000 + Int64(index) * 7300)
            reading.efficiency = Double(index % 100)
            return reading
        }
        try await IngestTest.with(folder: folder) { client async throws in
            _ = try await client.recordReadings(RecordReadingsRequest(readings: readings))
            for since in [0, now - 7_300_000, now - 3_333_333, now - 60_000 * 30, now - 1234, now + 10_000] {
                let expected = readings.filter { $0.timestampMs >= since }
                let stats = try await client.readingStats(ReadingStatsRequest(sinceMs: since))
                #expect(stats.readingsSince == UInt64(expected.count))
                let average = expected.isEmpty ? nil : expected.map(\.efficiency).reduce(0, +) / Double(expected.count)
                #expect(abs((stats.avgEfficiencySince ?? -1) - (average ?? -1)) < 1e-9)
            }
            // A time no minute arithmetic could hold is refused, not a crash.
            for since in [Int64.max, Int64.min, -1] {
                let error = await expectRPCError(.invalidArgument) {
                    _ = try await client.readingStats(ReadingStatsRequest(sinceMs: since))
                }
                #expect(error?.metadata["field"] == "since_ms")
            }
        }
    }
}
