import NIOCore

/// Runs Swift tasks on a NIO event loop. Handler and caller tasks that prefer a connection's event loop
/// run on the same thread that reads and writes its socket, so a call costs no thread hop; the prototype
/// in docs/rpc-design.md measured a cross-core wake-up at ~100 µs on these machines, more than the rest of a call.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop every job enqueued here runs on.
    public let eventLoop: any EventLoop

    /// An executor for tasks that should run on `eventLoop`'s thread.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` as one of the loop's tasks; never inline, even when called on the loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

/// Runs `body` on the loop: at once when already there, otherwise as the loop's next task.
@inline(__always)
func runOnLoop(_ eventLoop: any EventLoop, _ body: @escaping @Sendable () -> Void) {
    if eventLoop.inEventLoop {
        body()
    } else {
        eventLoop.execute(body)
    }
}
