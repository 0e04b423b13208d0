import Logging
import Synchronization

/// Keeps every log entry of the loggers it makes, for tests that check what a service logs.
public final class LogRecorder: Sendable {
    /// One recorded log call.
    public struct Entry: Sendable {
        /// The level it was logged at.
        public var level: Logger.Level
        /// The message text.
        public var message: String
        /// The logger's metadata merged with the call's own; the call's values win.
        public var metadata: Logger.Metadata
    }

    private let entries = Mutex<[Entry]>([])

    /// A recorder with nothing recorded yet.
    public init() {}

    /// A logger, at `level`, whose entries this recorder keeps.
    public func logger(label: String = "recorded", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    /// Every entry so far, oldest first, from all the loggers this recorder made.
    public var recorded: [Entry] { entries.withLock { $0 } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let entry = Entry(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 })
            recorder.entries.withLock { $0.append(entry) }
        }
    }
}
