import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

@Suite("Querying readings")
struct QueryReadingsTests {
    /// 100 readings of machine 1, one a minute, temperature = 50 + index.
    static func seed(_ client: IngestServiceClient, start: Int64) async throws {
        let readings = (0..<100).map { IngestTest.reading(1, at: start + Int64($0) * 60_000, temperature: 50 + Double($0)) }
        _ = try await client.recordReadings(RecordReadingsRequest(readings: readings))
        _ = try await client.recordReadings(RecordReadingsRequest(readings: [IngestTest.reading(2, at: start)]))
    }

    @Test("a time range, oldest or newest first, with a limit")
    func range() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let start = IngestTest.nowMs - 200 * 60_000
            try await Self.seed(client, start: start)
            let middle = try await client.queryReadings(
                QueryReadingsRequest(
                    equipmentID: 1, fromMs: start + 10 * 60_000, toMs: start + 20 * 60_000
                )
            ).readings
            #expect(middle.map(\.temperature) == (10..<20).map { 50 + Double($0) })
            let newest = try await client.queryReadings(QueryReadingsRequest(equipmentID: 1, limit: 3, newestFirst: true)).readings
            #expect(newest.map(\.temperature) == [149, 148, 147])
            await expectRPCError(.invalidArgument) {
                _ = try await client.queryReadings(QueryReadingsRequest(equipmentID: 1, fromMs: 10, toMs: 5))
            }
            // No silent caps: past 10,000 the caller is told, and how to page.
            let tooMany = await expectRPCError(.invalidArgument) {
                _ = try await client.queryReadings(QueryReadingsRequest(equipmentID: 1, limit: 10_001))
            }
            #expect(tooMany?.metadata["field"] == "limit")
            // A machine that does not exist is NOT_FOUND, like GetEquipment, not an empty answer.
            await expectRPCError(.notFound) { _ = try await client.queryReadings(QueryReadingsRequest(equipmentID: 999)) }
            // Every server tells its frame limit.
            #expect(try await HealthClient(client.rpcClient).check().maxFrameBytes == 4 << 20)
        }
    }

    @Test("downsampling into buckets gives each bucket's count, min, max and mean")
    func buckets() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let start = IngestTest.nowMs - 200 * 60_000
            try await Self.seed(client, start: start)
            let buckets = try await client.queryReadings(
                QueryReadingsRequest(
                    equipmentID: 1, fromMs: start, toMs: start + 100 * 60_000, buckets: 4
                )
            ).buckets
            #expect(buckets.map(\.count) == [25, 25, 25, 25])
            #expect(buckets[0].temperature?.min == 50)
            #expect(buckets[0].temperature?.max == 74)
            #expect(buckets[0].temperature?.mean == 62)
            #expect(buckets[3].temperature?.max == 149)
            #expect(buckets[1].startMs == start + 25 * 60_000)
        }
    }

    @Test("latest readings per machine, and counts for the dashboard")
    func latestAndStats() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let start = IngestTest.nowMs - 200 * 60_000
            try await Self.seed(client, start: start)
            let latest = try await client.latestReadings(LatestReadingsRequest(perEquipment: 2)).readings
            #expect(latest.filter { $0.equipmentID == 1 }.map(\.temperature) == [149, 148])
            #expect(latest.filter { $0.equipmentID == 2 }.count == 1)
            let equipment = try await client.getEquipment(GetEquipmentRequest(equipmentID: 1))
            #expect(equipment.latestReading?.temperature == 149)
            let stats = try await client.readingStats(ReadingStatsRequest(sinceMs: start + 50 * 60_000))
            #expect(stats.totalReadings == 101)
            #expect(stats.readingsSince == 50)
            #expect(stats.avgEfficiencySince == 91)
            #expect(stats.lastSequence == 101)
        }
    }
}
