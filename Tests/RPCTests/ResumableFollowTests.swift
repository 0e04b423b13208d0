import Logging
import RPCTesting
import ServiceKit
import Synchronization
import Testing

@Suite("Following a stream")
struct ResumableFollowTests {
    @Test("cancelled, it stops: a stream that ends its messages without an error on cancellation is not restarted for ever")
    func stopsWhenCancelled() async throws {
        let attempts = Atomic<Int>(0)
        let following = Task {
            try await ResumableFollow(
                name: "a quiet stream", logger: Logger(label: "test"), committed: { 0 },
                follow: { _ in
                    attempts.add(1, ordering: .relaxed)
                    // Like an RPC stream: iterating ends without an error once the task is cancelled.
                    let (stream, continuation) = AsyncThrowingStream<Int, any Error>.makeStream()
                    for try await _ in stream {}
                    continuation.finish()
                }
            ).run()
        }
        #expect(try await eventually { attempts.load(ordering: .relaxed) == 1 })
        following.cancel()
        // Without the check, run() never returns and the stream restarts without a pause: wait for either.
        let stopped = Atomic<Bool>(false)
        Task {
            _ = try? await following.value
            stopped.store(true, ordering: .relaxed)
        }
        #expect(try await eventually { stopped.load(ordering: .relaxed) || attempts.load(ordering: .relaxed) > 1_000 })
        let (hasStopped, restarts) = (stopped.load(ordering: .relaxed), attempts.load(ordering: .relaxed))
        #expect(hasStopped)
        #expect(restarts < 10, "restarted \(restarts) times after cancellation")
    }
}
