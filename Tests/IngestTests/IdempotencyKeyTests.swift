import GRDB
@_spi(RPCWire) import PMProto
import PMRPC
@_spi(RPCWire) import RPCTesting
import Testing

@testable import Ingest

/// Reading ids are idempotency keys: a key must never make a different reading look like a duplicate
/// (that would drop it silently), and a retried reading must never be stored twice.
@Suite("Idempotency keys")
struct IdempotencyKeyTests {
    @Test("keys that differ only after a NUL byte, or are not UTF-8, are refused with INVALID_ARGUMENT, not collided")
    func nulAndInvalidUTF8Refused() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let connection = try await RawConnection(port: client.rpcClient.configuration.port)
            // A well-behaved client cannot even encode these: the bytes are patched after encoding.
            for (key, byte, reason) in [
                ("f19-nulXa", UInt8(0), "contains a NUL byte"), ("f19-nulXb", 0, "contains a NUL byte"),
                ("bad-X", 0xC3, "is not valid UTF-8"),
            ] {
                let request = RecordReadingsRequest(readings: [IngestTest.reading(1, id: key)])
                let payload = request.serializedBytes().map { $0 == UInt8(ascii: "X") ? byte : $0 }
                let status = try await connection.unaryCall(
                    method: IngestService.recordReadings.path, token: RunningApplication.testToken, payload: payload)
                #expect(status?.statusCode == RPCError.Code.invalidArgument.rawValue)
                #expect(status?.statusMessage == "readings[0].reading_id: \(reason)")
            }
            await connection.close()
            #expect(try await client.readingStats(ReadingStatsRequest()).totalReadings == 0)
        }
    }

    @Test("a reading id identifies a reading within its machine: two machines may use the same one")
    func keysPerMachine() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let first = try await client.recordReadings(RecordReadingsRequest(readings: [IngestTest.reading(1, id: "42")]))
            let second = try await client.recordReadings(RecordReadingsRequest(readings: [IngestTest.reading(4, id: "42")]))
            #expect(first.accepted == 1)
            #expect(second.accepted == 1, "machine 4's reading 42 is not machine 1's")
            let retry = try await client.recordReadings(
                RecordReadingsRequest(readings: [IngestTest.reading(4, id: "42"), IngestTest.reading(1, id: "42")]))
            #expect(retry.duplicates == 2)
            #expect(retry.results.map(\.sequence) == [second.results[0].sequence, first.results[0].sequence])
            #expect(try await client.readingStats(ReadingStatsRequest()).totalReadings == 2)
        }
    }

    @Test("a database made before reading ids were per machine is migrated, keeping its readings")
    func migrationFromGlobalKeys() throws {
        let folder = try TemporaryFolder()
        let path = "\(folder.path)/ingest.sqlite"
        let old = try DatabaseQueue(path: path)
        try IngestDatabase.migrator(createDemoFleet: true).migrate(old, upTo: "v1: equipment and readings")
        try old.write { db in
            try db.execute(sql: "INSERT INTO readings VALUES (NULL, 1, 1000, 70, 2, 100, 15, 90, 'r-1')")
        }
        try old.close()

        var configuration = IngestConfiguration.forTesting(directory: folder.path, demoFleet: true)
        configuration.databasePath = path
        let database = try IngestDatabase.open(configuration)
        try database.pool.write { db in
            // The same id on another machine is now a different reading; on the same machine, a duplicate.
            try db.execute(sql: "INSERT INTO readings VALUES (NULL, 2, 1000, 70, 2, 100, 15, 90, 'r-1')")
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO readings VALUES (NULL, 1, 2000, 70, 2, 100, 15, 90, 'r-1')")
            }
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM readings") == 2)
        }
        try database.close()
    }
}
