import Logging

/// Configures swift-log once per process: human-readable lines on standard error at `level`.
public enum LoggingSetup {
    /// Installs the handler; loggers made afterwards start at `level`. swift-log allows this once per
    /// process: a second call traps.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
