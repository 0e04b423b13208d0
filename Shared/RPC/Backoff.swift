import Foundation

/// Exponential back-off with jitter between reconnection attempts, as gRPC's connection back-off.
public struct Backoff: Sendable {
    /// The delay after the first failure, before jitter.
    public var initial: Duration
    /// The longest delay, before jitter: a jittered delay may exceed it by up to `jitter`.
    public var maximum: Duration
    /// How much the delay grows with each further consecutive failure.
    public var multiplier: Double
    /// The delay varies randomly by this fraction either way, so clients do not reconnect in lockstep.
    public var jitter: Double

    /// Defaults: 100 ms after the first failure, growing 1.6 times per failure up to 5 s, varied by ±20 %.
    /// A `jitter` of 0 makes the delays exact.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), multiplier: Double = 1.6, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The wait after the `attempt`-th consecutive failure (0-based).
    public func delay(forAttempt attempt: Int) -> Duration {
        let base = min(
            Double(initial.nanoseconds) * pow(multiplier, Double(min(attempt, 64))),
            Double(maximum.nanoseconds)
        )
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter)) : 1
        return .nanoseconds(Int64(base * factor))
    }
}
