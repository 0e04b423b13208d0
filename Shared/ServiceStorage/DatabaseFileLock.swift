#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on `<database>.lock`, held while the database is open, so that a second process
/// (a service started twice on the same data folder) fails at start instead of sharing the file.
final class DatabaseFileLock: Sendable {
    private let descriptor: Int32

    init(databasePath: String) throws {
        let path = databasePath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DatabaseOpenError(path: databasePath, reason: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        // flock, not fcntl locks: SQLite's own fcntl locks on the database would share ours.
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw DatabaseOpenError(path: databasePath, reason: "another process has it open (\(path) is locked); stop it first")
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)  // releases the lock
    }
}

/// A service's database could not be opened.
public struct DatabaseOpenError: Error, CustomStringConvertible {
    /// The database file's path.
    public let path: String
    /// Why it could not be opened, e.g. another process holds its lock.
    public let reason: String

    /// `cannot open <path>: <reason>`.
    public var description: String { "cannot open \(path): \(reason)" }
}
