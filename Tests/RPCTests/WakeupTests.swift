import Logging
import RPCTesting
import ServiceKit
import Synchronization
import Testing

/// A periodic job with a wakeup runs as soon as it is signalled, not at its next tick.
@Suite("PeriodicJob wakeup")
struct WakeupTests {
    @Test("a signal runs the job long before its (one-hour) interval; a signal while it runs is kept")
    func signalRunsTheJobAtOnce() async throws {
        let wakeup = Wakeup()
        let runs = RunCount()
        let job = PeriodicJob(name: "test job", interval: .seconds(3600), wakeup: wakeup, logger: Logger(label: "test")) {
            let count = runs.value.withLock { value in
                value += 1
                return value
            }
            // Signalled while running: the next wait returns at once.
            if count == 2 { wakeup.signal() }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await job.run() }
            #expect(try await eventually { runs.current == 1 })
            wakeup.signal()
            #expect(try await eventually { runs.current == 3 })
            // Nothing else signals: with an hour to the next tick, the count stays.
            try await Task.sleep(for: .milliseconds(200))
            #expect(runs.current == 3)
            // Cancellation (shutdown) ends the wait and the job.
            group.cancelAll()
            try? await group.waitForAll()
        }
    }

    @Test("a job cancelled while it works stops at its next wait, every time (the wait's timeout fires at once then)")
    func cancelledWhileWorking() async throws {
        // The job cancels its own task while working, so its wait starts cancelled and its timeout
        // fires at once, possibly before the wait is registered (a race this loop rarely loses: the
        // fix records such an early expiry, so the wait then returns at once).
        let stopped = RunCount()
        for _ in 0..<500 {
            Task {
                let job = PeriodicJob(name: "test job", interval: .seconds(3600), wakeup: Wakeup(), logger: Logger(label: "test")) {
                    withUnsafeCurrentTask { $0?.cancel() }
                }
                try? await job.run()
                stopped.value.withLock { $0 += 1 }
            }
        }
        #expect(try await eventually { stopped.current == 500 })
        let count = stopped.current
        #expect(count == 500, "\(500 - count) jobs still waiting")
    }
}

private final class RunCount: Sendable {
    let value = Mutex(0)
    var current: Int { value.withLock { $0 } }
}
