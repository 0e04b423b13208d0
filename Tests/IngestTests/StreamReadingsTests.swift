import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

@Suite("Streaming readings")
struct StreamReadingsTests {
    static func record(_ client: IngestServiceClient, count: Int, offset: Int, start: Int64) async throws {
        let readings = (0..<count).map { index in
            IngestTest.reading(Int64((offset + index) % 6 + 1), at: start + Int64(offset + index) * 10)
        }
        _ = try await client.recordReadings(RecordReadingsRequest(readings: readings))
    }

    /// Reads the stream from `after` until `count` readings arrived.
    static func consume(_ client: IngestServiceClient, _ request: StreamReadingsRequest, count: Int) async throws -> [Reading] {
        try await client.streamReadings(request) { stream in
            var received = [Reading]()
            for try await batch in stream {
                received += batch.readings
                if received.count >= count { break }
            }
            return received
        }
    }

    @Test("a consumer that restarts from its last sequence misses nothing and sees nothing twice")
    func resumeAfterRestart() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let start = IngestTest.nowMs - 3_600_000
            try await Self.record(client, count: 1200, offset: 0, start: start)
            // The first consumer stops after 700 readings.
            let first = try await Self.consume(client, StreamReadingsRequest(), count: 700)
            let resumeFrom = first[699].sequence
            // More arrive while no one listens, and while the second consumer reads.
            try await Self.record(client, count: 300, offset: 1200, start: start)
            let writer = Task { try await Self.record(client, count: 500, offset: 1500, start: start) }
            let second = try await Self.consume(client, StreamReadingsRequest(afterSequence: resumeFrom), count: 2000 - 700)
            try await writer.value
            let sequences = first.prefix(700).map(\.sequence) + second.map(\.sequence)
            #expect(sequences.count == 2000)
            #expect(sequences == sequences.sorted())
            #expect(Set(sequences).count == 2000)
            #expect(sequences.first == 1 && sequences.last == 2000)
        }
    }

    @Test("shards split the machines: disjoint, and together everything")
    func shards() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            try await Self.record(client, count: 600, offset: 0, start: IngestTest.nowMs - 3_600_000)
            let even = try await Self.consume(client, StreamReadingsRequest(shardCount: 2, shardIndex: 0), count: 300)
            let odd = try await Self.consume(client, StreamReadingsRequest(shardCount: 2, shardIndex: 1), count: 300)
            #expect(even.allSatisfy { $0.equipmentID % 2 == 0 })
            #expect(odd.allSatisfy { $0.equipmentID % 2 == 1 })
            #expect(Set(even.map(\.sequence) + odd.map(\.sequence)) == Set(1...600))
            let listed = try await Self.consume(client, StreamReadingsRequest(equipmentIDs: [3]), count: 100)
            #expect(listed.count == 100 && listed.allSatisfy { $0.equipmentID == 3 })
        }
    }

    @Test("an impossible shard is INVALID_ARGUMENT")
    func invalidShard() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let error = await expectRPCError(.invalidArgument) {
                _ = try await Self.consume(client, StreamReadingsRequest(shardCount: 2, shardIndex: 2), count: 1)
            }
            #expect(error?.metadata["field"] == "shard_index")
        }
    }
}
