import Metrics
import ServiceKit
import Synchronization

/// Two limits that keep the gateway responsive: a token bucket per key (a runaway script gets 429 with
/// `Retry-After`, not an unresponsive gateway), and a count of failed key checks per client address
/// (guessing keys gets slowed down: 429 once an address has failed too often within a minute).
final class RequestThrottle: Sendable {
    struct Limits: Sendable {
        /// Requests per second per key, by role; a burst of twice that is allowed.
        var perSecond: [Role: Double]
        /// Failed key checks per address per minute before that address gets 429.
        var failuresPerMinute: Int
    }

    private struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    private struct Failures {
        var count: Int
        var windowStart: ContinuousClock.Instant
    }

    let limits: Limits
    private let buckets = Mutex<[String: Bucket]>([:])
    private let failures = Mutex<[String: Failures]>([:])
    /// Whether any key check has failed since start: until one does, requests skip the lock above.
    private let anyFailure = Atomic<Bool>(false)
    static let failureWindow = Duration.seconds(60)

    init(limits: Limits) {
        self.limits = limits
    }

    /// Takes one token of the key's bucket; throws 429 with the wait when it is empty.
    func admit(_ identity: Identity) throws {
        let rate = limits.perSecond[identity.role] ?? 100
        let now = ContinuousClock.now
        let wait = buckets.withLock { buckets -> Double? in
            // Bounded: keys are few, but a store full of them must not grow this without limit.
            if buckets.count > 100_000 { buckets.removeAll() }
            var bucket = buckets[identity.prefix] ?? Bucket(tokens: rate * 2, at: now)
            bucket.tokens = min(rate * 2, bucket.tokens + (now - bucket.at).inSeconds * rate)
            bucket.at = now
            defer { buckets[identity.prefix] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / rate }
            bucket.tokens -= 1
            return nil
        }
        if let wait {
            Counter(label: "pm_gateway_rate_limited_total", dimensions: [("role", identity.role.rawValue)]).increment()
            throw Self.tooMany("this key's rate limit (\(Int(rate)) requests/s) is exceeded", retryAfter: wait)
        }
    }

    /// Refuses an address that failed too often within the last minute.
    func checkFailures(of address: String) throws {
        guard anyFailure.load(ordering: .relaxed) else { return }
        let now = ContinuousClock.now
        let retryAfter = failures.withLock { failures -> Double? in
            guard let entry = failures[address], now - entry.windowStart < Self.failureWindow, entry.count >= limits.failuresPerMinute
            else { return nil }
            return (Self.failureWindow - (now - entry.windowStart)).inSeconds
        }
        if let retryAfter {
            Counter(label: "pm_gateway_auth_throttled_total").increment()
            throw Self.tooMany("too many requests with invalid keys from this address; wait", retryAfter: retryAfter)
        }
    }

    /// Counts a failed key check of an address.
    func recordFailure(of address: String) {
        let now = ContinuousClock.now
        failures.withLock { failures in
            if failures.count > 100_000 { failures.removeAll() }
            var entry = failures[address] ?? Failures(count: 0, windowStart: now)
            if now - entry.windowStart >= Self.failureWindow { entry = Failures(count: 0, windowStart: now) }
            entry.count += 1
            failures[address] = entry
        }
        anyFailure.store(true, ordering: .relaxed)
        Counter(label: "pm_gateway_auth_failures_total").increment()
    }

    private static func tooMany(_ message: String, retryAfter seconds: Double) -> APIError {
        var error = APIError(.tooManyRequests, code: "rate_limited", message: message)
        error.retryAfterSeconds = max(1, Int(seconds.rounded(.up)))
        return error
    }
}
