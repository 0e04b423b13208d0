import Logging
import PMRPC
import ServiceKit

/// Repeats a delivery attempt that failed as a whole until it succeeds, waiting between attempts as the
/// receiver asked (`Retry-After`) or else by exponential backoff with jitter.
struct Redelivery: Sendable {
    let backoff: Backoff
    let logger: Logger

    init(logger: Logger, backoff: Backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))) {
        self.backoff = backoff
        self.logger = logger
    }

    /// The result of `attempt`, retried while it throws ``TransientFailure``; other errors end it.
    func retrying<Value>(_ attempt: () async throws -> Value) async throws -> Value {
        var failures = 0
        while true {
            do {
                return try await attempt()
            } catch let failure as TransientFailure {
                let wait = failure.retryAfter ?? backoff.delay(forAttempt: failures)
                failures += 1
                logger.warning(
                    "delivery failed; retrying",
                    metadata: [
                        "simulator.reason": "\(failure.reason)", "simulator.attempt": "\(failures)",
                        "simulator.retry_in_ms": "\(wait.wholeMilliseconds)",
                    ])
                try await Task.sleep(for: wait)
            }
        }
    }
}

/// An attempt that failed as a whole and may succeed later: no connection, the receiver overloaded or
/// restarting. `retryAfter` is the receiver's own wait, when it named one.
struct TransientFailure: Error {
    var reason: String
    var retryAfter: Duration?

    init(_ reason: String, retryAfter: Duration? = nil) {
        self.reason = reason
        self.retryAfter = retryAfter
    }
}
