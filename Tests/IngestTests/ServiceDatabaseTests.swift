import GRDB
import Ingest
import RPCTesting
import ServiceStorage
import Testing

@Suite("Service database")
struct ServiceDatabaseTests {
    @Test("a database open elsewhere is refused with a clear error; once closed it opens again")
    func exclusiveLock() throws {
        let folder = try TemporaryFolder()
        let configuration = IngestConfiguration.forTesting(directory: folder.path)
        let first = try IngestDatabase.open(configuration)
        #expect {
            _ = try IngestDatabase.open(configuration)
        } throws: { error in
            "\(error)".contains("another process has it open")
        }
        try first.close()
        let again = try IngestDatabase.open(configuration)
        #expect(try again.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM readings") } == 0)
        try again.close()
    }

    @Test("the durability setting reaches SQLite, in WAL mode")
    func pragmas() throws {
        let folder = try TemporaryFolder()
        var configuration = IngestConfiguration.forTesting(directory: folder.path)
        configuration.durability = .normal
        let database = try IngestDatabase.open(configuration)
        let (journal, synchronous) = try database.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 1)  // NORMAL; FULL is 2
        try database.close()
    }
}
