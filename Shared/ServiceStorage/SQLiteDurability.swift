import ServiceKit

/// SQLite's `synchronous` setting in WAL mode. FULL: a commit survives a power cut, not only a crash
/// of the process; NORMAL: it survives a crash of the process, and the last commits may be lost on a
/// power cut, for fewer fsyncs.
public enum SQLiteDurability: String, Sendable {
    /// Each sets `PRAGMA synchronous` to its name, upper-cased.
    case full, normal
}

extension SQLiteDurability {
    /// Reads `variable` (`ingest.sqlite.synchronous`, i.e. INGEST_SQLITE_SYNCHRONOUS): `full` (the
    /// default) or `normal`.
    public init(environment: Environment, variable: String) throws {
        let value = environment.string(variable, default: "full").lowercased()
        guard let parsed = SQLiteDurability(rawValue: value) else {
            throw ConfigurationError(variable: Environment.variableName(variable), value: value, expected: "full or normal")
        }
        self = parsed
    }
}
