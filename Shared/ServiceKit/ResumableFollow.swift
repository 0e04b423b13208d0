import Logging
import PMRPC
import ServiceLifecycle

/// Follows another service's stream from the last position committed, until graceful shutdown: when
/// the stream fails it starts again from what has committed since, after a back-off that resets
/// whenever progress was made. The pattern of every consumer of StreamReadings and WatchAlerts.
public struct ResumableFollow: Sendable {
    /// What is followed, for logs ("Ingest's readings").
    let name: String
    let logger: Logger
    let backoff: Backoff
    /// The last position committed.
    let committed: @Sendable () async throws -> UInt64
    /// Follows the stream after a position; returns or throws when the stream ends.
    let follow: @Sendable (UInt64) async throws -> Void
    /// Runs after a failure, before the next attempt (e.g. to drop state that is ahead of the commit).
    let afterFailure: @Sendable () async throws -> Void

    /// A follower of `name` (for logs), from `committed()` on, with `follow`.
    public init(
        name: String, logger: Logger, backoff: Backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10)),
        committed: @escaping @Sendable () async throws -> UInt64, follow: @escaping @Sendable (UInt64) async throws -> Void,
        afterFailure: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.name = name
        self.logger = logger
        self.backoff = backoff
        self.committed = committed
        self.follow = follow
        self.afterFailure = afterFailure
    }

    /// Runs until graceful shutdown; whatever was in progress then committed with its position, or not at all.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var failures = 0
                while true {
                    // A cancelled stream ends its messages without an error (AsyncThrowingStream's rule):
                    // without this check, shutdown would restart the stream in a tight loop, for ever.
                    try Task.checkCancellation()
                    // Reading the position is part of the attempt: a peer that is down at start (it
                    // answers the position, as the gateway's readings feed asks Ingest) is retried too.
                    var before: UInt64?
                    do {
                        let position = try await committed()
                        before = position
                        try await follow(position)
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        var progressed = false
                        if let before, let now = try? await committed() { progressed = now > before }
                        failures = progressed ? 0 : failures + 1
                        try await afterFailure()
                        logger.warning("following \(name) failed; retrying", metadata: ["error": "\(error)"])
                        try await Task.sleep(for: backoff.delay(forAttempt: failures))
                    }
                }
            }
        } catch is CancellationError {
            // Shutting down.
        }
    }
}
