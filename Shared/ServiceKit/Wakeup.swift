import Synchronization

/// Wakes a ``PeriodicJob`` before its interval ends: work that has just become due (an outbox row
/// committed) runs at once instead of at the next tick. A signal while the job is busy is kept, so the
/// job's next wait returns at once; several such signals count as one.
public final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
        var nextID = 0
        /// A wait that expired before it began waiting: in a cancelled task the timeout fires at once,
        /// possibly before the continuation is stored, and that wait must not then wait for ever.
        var expiredID: Int?
    }

    private let state = Mutex(State())

    /// A wakeup nobody has signalled yet.
    public init() {}

    /// Wakes the waiting job, or the next wait when none is waiting.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns at the next signal (at once if one came since the last wait), after `timeout`, or when
    /// the task is cancelled, whichever comes first.
    func wait(upTo timeout: Duration) async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends early when cancelled (shutdown, or the signal came first and the group is done).
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if state.expiredID == id { return true }
                    state.waiter = (id, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
            group.cancelAll()
        }
    }

    /// Ends wait `id` if it is still waiting (its timeout, or cancellation).
    private func expire(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.id == id else {
                state.expiredID = id
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
