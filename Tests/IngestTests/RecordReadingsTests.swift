import PMProto
import PMRPC
import RPCTesting
import Testing

@Suite("Recording readings")
struct RecordReadingsTests {
    @Test("valid readings of a batch are stored while invalid ones are rejected with the field and a reason")
    func partialAcceptance() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let now = IngestTest.nowMs
            var nan = IngestTest.reading(1, at: now - 5000)
            nan.vibration = .nan
            var infinite = IngestTest.reading(1, at: now - 6000)
            infinite.pressure = .infinity
            var negativeVibration = IngestTest.reading(2, at: now - 7000)
            negativeVibration.vibration = -1
            var overEfficient = IngestTest.reading(2, at: now - 8000)
            overEfficient.efficiency = 140
            let batch = [
                IngestTest.reading(1, at: now - 1000),  // 0 ok
                nan,  // 1
                IngestTest.reading(77, at: now - 2000),  // 2 unknown machine
                IngestTest.reading(2, at: now + 3_600_000),  // 3 an hour in the future
                infinite,  // 4
                IngestTest.reading(3, at: now - 3000),  // 5 ok
                negativeVibration,  // 6
                overEfficient,  // 7
                IngestTest.reading(3, at: 1000),  // 8 1970
            ]
            let response = try await client.recordReadings(RecordReadingsRequest(readings: batch))
            #expect(response.accepted == 2)
            #expect(response.rejected == 7)
            #expect(
                response.results.map(\.outcome) == [
                    .accepted, .rejected, .rejected, .rejected, .rejected, .accepted, .rejected, .rejected, .rejected,
                ])
            #expect(
                response.results.map(\.field) == [
                    "", "vibration", "equipment_id", "timestamp_ms", "pressure", "", "vibration", "efficiency", "timestamp_ms",
                ])
            #expect(response.results[1].reason.contains("not a finite number"))
            #expect(response.results[2].reason.contains("not registered"))
            #expect(response.results[3].reason.contains("future"))
            #expect(response.results[0].sequence > 0 && response.results[5].sequence > response.results[0].sequence)

            let stored = try await client.latestReadings(LatestReadingsRequest(perEquipment: 10)).readings
            #expect(stored.count == 2)
            #expect(Set(stored.map(\.sequence)) == [response.results[0].sequence, response.results[5].sequence])
        }
    }

    @Test("readings sent as messages and as columns are one batch, indexed in that order")
    func columns() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let now = IngestTest.nowMs
            var invalid = IngestTest.reading(2, at: now - 3000)
            invalid.temperature = .nan
            let request = RecordReadingsRequest(
                readings: [IngestTest.reading(1, at: now - 1000)],
                columns: ReadingColumns([IngestTest.reading(2, at: now - 2000), invalid, IngestTest.reading(3, at: now - 4000, id: "c-3")])
            )
            let response = try await client.recordReadings(request)
            #expect(response.results.map(\.index) == [0, 1, 2, 3])
            #expect(response.results.map(\.outcome) == [.accepted, .accepted, .rejected, .accepted])
            #expect(response.results[2].field == "temperature")
            let stored = try await client.queryReadings(QueryReadingsRequest(equipmentID: 3)).readings
            #expect(stored.map(\.readingID) == ["c-3"])

            var broken = ReadingColumns([IngestTest.reading(1, at: now - 5000)])
            broken.efficiency = []
            let error = await expectRPCError(.invalidArgument) {
                _ = try await client.recordReadings(RecordReadingsRequest(columns: broken))
            }
            #expect(error?.metadata["field"] == "columns.efficiency")
        }
    }

    @Test("an empty batch is INVALID_ARGUMENT naming `readings`")
    func emptyBatch() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let error = await expectRPCError(.invalidArgument) {
                _ = try await client.recordReadings(RecordReadingsRequest())
            }
            #expect(error?.metadata["field"] == "readings")
        }
    }

    @Test("a retried batch is not stored twice: by reading id, or by machine and timestamp")
    func idempotentRetry() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let now = IngestTest.nowMs
            var readings = [Reading]()
            for index in 0..<50 {
                let machine = Int64(index % 6 + 1)
                if index % 2 == 0 {
                    readings.append(IngestTest.reading(machine, at: now - Int64(index) * 1000))
                } else {
                    readings.append(IngestTest.reading(machine, id: "sensor-gw-\(index)"))
                }
            }
            let batch = RecordReadingsRequest(readings: readings)
            let first = try await client.recordReadings(batch)
            #expect(first.accepted == 50)
            let retry = try await client.recordReadings(batch)
            #expect(retry.accepted == 0)
            #expect(retry.duplicates == 50)
            #expect(retry.results.map(\.sequence) == first.results.map(\.sequence))
            #expect(retry.results.allSatisfy { $0.outcome == .duplicate })
            // A duplicate reports the stored reading's time: a retried server-stamped reading, the first stamp.
            #expect(retry.results.map(\.timestampMs) == first.results.map(\.timestampMs))
            let stats = try await client.readingStats(ReadingStatsRequest())
            #expect(stats.totalReadings == 50)
        }
    }

    @Test("readings without a timestamp get the server's time, distinct per machine")
    func serverTimestamps() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let before = IngestTest.nowMs
            let response = try await client.recordReadings(
                RecordReadingsRequest(readings: (0..<20).map { _ in IngestTest.reading(4) })
            )
            #expect(response.accepted == 20)
            let stored = try await client.queryReadings(QueryReadingsRequest(equipmentID: 4)).readings
            #expect(stored.count == 20)
            #expect(Set(stored.map(\.timestampMs)).count == 20)
            #expect(stored.allSatisfy { $0.timestampMs >= before && $0.timestampMs < IngestTest.nowMs + 1000 })
            // Each result tells the time the server gave its reading.
            #expect(Set(response.results.map(\.timestampMs)) == Set(stored.map(\.timestampMs)))
        }
    }

    @Test("past the pending limit callers get RESOURCE_EXHAUSTED, and only what was acknowledged is stored")
    func backpressure() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) {
            $0.maxPendingReadings = 1000
        } _: { client async throws in
            let now = IngestTest.nowMs
            let outcomes = try await withThrowingTaskGroup(of: UInt32?.self) { group in
                for call in 0..<40 {
                    group.addTask {
                        let batch = RecordReadingsRequest(
                            readings: (0..<600).map { index in
                                IngestTest.reading(Int64(index % 6 + 1), at: now - Int64(call * 600 + index) * 10)
                            })
                        do {
                            return try await client.recordReadings(batch).accepted
                        } catch let error as RPCError where error.code == .resourceExhausted {
                            return nil
                        }
                    }
                }
                var results = [UInt32?]()
                for try await outcome in group { results.append(outcome) }
                return results
            }
            let refused = outcomes.filter { $0 == nil }.count
            let accepted = outcomes.compactMap { $0 }.reduce(0, +)
            #expect(refused > 0, "40 concurrent 600-reading calls against a limit of 1,000 must be refused sometimes")
            #expect(accepted == UInt32((40 - refused) * 600))
            let stats = try await client.readingStats(ReadingStatsRequest())
            #expect(stats.totalReadings == UInt64(accepted))
        }
    }
}
