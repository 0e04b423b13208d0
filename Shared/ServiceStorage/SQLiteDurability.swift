/// SQLite's `synchronous` setting in WAL mode. FULL: a commit survives a power cut, not only a crash
/// of the process; NORMAL: it survives a crash of the process, and the last commits may be lost on a
/// power cut, for fewer fsyncs.
public enum SQLiteDurability: String, Sendable {
    /// Each sets `PRAGMA synchronous` to its name, upper-cased.
    case full, normal
}
