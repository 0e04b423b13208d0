import Crypto
import Foundation
import GRDB
import ServiceKit
import Synchronization

/// The gateway's API keys, in a SQLite file of its own (`GATEWAY_DATABASE`): the gateway holds no
/// business data, and keys belong to the door that checks them. Opened in WAL mode without an exclusive
/// lock, so that `gateway keys ...` can change keys while the gateway runs; the gateway's checks read
/// through a cache that lives at most ``cacheLifetime``, so a revoked key is refused within it.
public final class KeyStore: Sendable {
    private let pool: DatabasePool
    private let cache = Mutex<[SHA256Digest: (identity: Identity?, at: ContinuousClock.Instant)]>([:])
    static let cacheLifetime = Duration.seconds(2)

    public struct Listed: Sendable {
        public var identity: Identity
        public var createdAtMs: Int64
        public var revokedAtMs: Int64?
    }

    public init(path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE keys (
                        prefix TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
                        equipment_ids TEXT, created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER, revoked_at_ms INTEGER)
                    """)
        }
        try migrator.migrate(pool)
    }

    /// Creates a key; returns it (the only time its text exists outside the caller).
    public func create(name: String, role: Role, equipmentIDs: Set<Int64>?, expiresAtMs: Int64?, now: Int64) throws -> (APIKey, Identity) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(trimmed.utf8.count) else { throw APIError.invalid("name", "name must be 1 to 100 bytes") }
        if let equipmentIDs, equipmentIDs.isEmpty || role != .device {
            throw APIError.invalid("equipment_ids", "equipment_ids limits a device key: a non-empty list, for role device only")
        }
        if let expiresAtMs, expiresAtMs <= now { throw APIError.invalid("expires_at", "a key must expire in the future") }
        let key = APIKey.generate()
        let identity = Identity(name: trimmed, role: role, prefix: key.prefix, equipmentIDs: equipmentIDs, expiresAtMs: expiresAtMs)
        try pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO keys (prefix, hash, name, role, equipment_ids, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    key.prefix, key.hash, trimmed, role.rawValue, equipmentIDs.map { $0.sorted().map(String.init).joined(separator: ",") },
                    now, expiresAtMs,
                ])
        }
        return (key, identity)
    }

    /// Whether any key that can still be used exists (first run creates an admin key when none does).
    public func hasUsableAdmin(now: Int64) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(
                db,
                sql:
                    "SELECT EXISTS (SELECT 1 FROM keys WHERE role = 'admin' AND revoked_at_ms IS NULL AND (expires_at_ms IS NULL OR expires_at_ms > ?))",
                arguments: [now]) ?? false
        }
    }

    public func list() throws -> [Listed] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM keys ORDER BY created_at_ms, prefix").map { row in
                Listed(identity: Self.identity(row), createdAtMs: row["created_at_ms"], revokedAtMs: row["revoked_at_ms"])
            }
        }
    }

    /// Revokes the key with this prefix; false when there is none (or it was revoked already).
    public func revoke(prefix: String, now: Int64) throws -> Bool {
        let changed = try pool.write { db in
            try db.execute(sql: "UPDATE keys SET revoked_at_ms = ? WHERE prefix = ? AND revoked_at_ms IS NULL", arguments: [now, prefix])
            return db.changesCount > 0
        }
        cache.withLock { $0.removeAll() }
        return changed
    }

    /// The identity of a presented key, or nil when it is unknown, revoked or expired.
    public func identity(of key: APIKey, now: Int64) throws -> Identity? {
        let digest = key.digest
        if let cached = cache.withLock({ $0[digest] }), ContinuousClock.now - cached.at < Self.cacheLifetime {
            return Self.usable(cached.identity, now: now)
        }
        let hash = APIKey.hex(digest)
        let identity = try pool.read { db -> Identity? in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM keys WHERE prefix = ? AND revoked_at_ms IS NULL", arguments: [key.prefix]),
                Self.constantTimeEqual(row["hash"], hash)
            else { return nil }
            return Self.identity(row)
        }
        cache.withLock { cache in
            // Bounded: a flood of wrong keys must not grow it without limit.
            if cache.count > 10_000 { cache.removeAll() }
            cache[digest] = (identity, ContinuousClock.now)
        }
        return Self.usable(identity, now: now)
    }

    private static func usable(_ identity: Identity?, now: Int64) -> Identity? {
        guard let identity else { return nil }
        if let expires = identity.expiresAtMs, expires <= now { return nil }
        return identity
    }

    private static func identity(_ row: Row) -> Identity {
        let ids: String? = row["equipment_ids"]
        return Identity(
            name: row["name"], role: Role(rawValue: row["role"]) ?? .viewer, prefix: row["prefix"],
            equipmentIDs: ids.map { Set($0.split(separator: ",").compactMap { Int64($0) }) }, expiresAtMs: row["expires_at_ms"])
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
