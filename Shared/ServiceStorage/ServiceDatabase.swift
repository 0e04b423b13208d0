import Foundation
import GRDB
import ServiceLifecycle
import Synchronization

/// A service's own SQLite database, opened the way every service opens it: its folder created, an
/// exclusive lock against a second process, WAL (GRDB's `DatabasePool`), the durability setting, a
/// busy timeout, and the service's migrations applied.
///
/// Run it as the first background service of the application: the service group stops it last, after
/// the server and the writers, and it then closes the database and releases the lock, so the same
/// files can be opened again at once (by a restarted service, or by the next test).
public final class ServiceDatabase: Service, Sendable {
    /// The open database (WAL: reads run concurrently with each other and with the one writer). Do not
    /// use it after ``close()``.
    public let pool: DatabasePool
    private let lock: Mutex<DatabaseFileLock?>

    /// Opens the database at `path`, creating it and its folder if needed, with a 5-second busy timeout,
    /// and applies `migrator`. Throws ``DatabaseOpenError`` when another process holds its lock, or the
    /// file system's or GRDB's error when the folder, the database or a migration fails.
    public init(path: String, durability: SQLiteDurability, migrator: DatabaseMigrator) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let lock = try DatabaseFileLock(databasePath: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let synchronous = durability.rawValue.uppercased()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrate(pool)
        self.lock = Mutex(lock)
    }

    /// Waits for graceful shutdown (or cancellation), then closes the database and releases the lock.
    public func run() async throws {
        try? await gracefulShutdown()
        try close()
    }

    /// Closes the database, then releases the lock (also released when this value is freed). If the
    /// database cannot be closed the lock is kept: another process must not open files still in use.
    public func close() throws {
        try pool.close()
        lock.withLock { $0 = nil }
    }
}
