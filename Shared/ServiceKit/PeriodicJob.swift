import Logging
import ServiceLifecycle

/// Runs `work` now and then every `interval` until graceful shutdown. A failed pass (a busy or full
/// disk) is logged and retried at the next interval rather than stopping the service.
public struct PeriodicJob: Service, CustomStringConvertible {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void
    let wakeup: Wakeup?

    /// A job called `name` in logs; `wakeup`, when given, runs it before the interval ends.
    public init(
        name: String, interval: Duration, wakeup: Wakeup? = nil, logger: Logger, work: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.wakeup = wakeup
        self.logger = logger
        self.work = work
    }

    /// "periodic job <name>", for logs.
    public var description: String { "periodic job \(name)" }

    /// Runs until graceful shutdown.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        try await work()
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.error("\(name) failed; retrying at the next interval", metadata: ["error": "\(error)"])
                    }
                    if let wakeup {
                        await wakeup.wait(upTo: interval)
                        try Task.checkCancellation()
                    } else {
                        try await Task.sleep(for: interval)
                    }
                }
            }
        } catch is CancellationError {
            // Graceful shutdown interrupts the sleep; a pass in progress has committed or rolled back.
        }
    }
}
