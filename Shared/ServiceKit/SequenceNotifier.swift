import Synchronization

/// The highest committed sequence of a service's log (Ingest's readings, Alerting's events), and the
/// streams waiting for it to move.
public final class SequenceNotifier: Sendable {
    private struct State {
        var latest: UInt64
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter = 0
    }

    private let state: Mutex<State>

    /// A notifier whose log has committed up to `latest`.
    public init(latest: UInt64) {
        state = Mutex(State(latest: latest))
    }

    /// The highest committed sequence.
    public var latest: UInt64 { state.withLock { $0.latest } }

    /// Everything up to `sequence` is committed: wakes the waiting streams.
    public func committed(upTo sequence: UInt64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard sequence > state.latest else { return [] }
            state.latest = sequence
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once a sequence above `sequence` is committed; throws `CancellationError` if cancelled first.
    public func waitForSequence(above sequence: UInt64) async throws {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.latest > sequence || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
