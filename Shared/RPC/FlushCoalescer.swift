import NIOCore

/// Batches flushes: frames written during a read burst are flushed once at `channelReadComplete`, frames
/// written by tasks are flushed once after every task already queued on the loop has run. FINDINGS.md
/// measured a flush per message at a third of the throughput of flushing per burst.
struct FlushCoalescer {
    private var inReadBurst = false
    private var flushScheduled = false

    mutating func readStarted() {
        inReadBurst = true
    }

    mutating func readCompleted(_ context: ChannelHandlerContext) {
        inReadBurst = false
        context.flush()
    }

    /// Call after writing; `flush` runs later on the loop unless a burst's end will flush anyway.
    mutating func wrote(on eventLoop: any EventLoop, flush: @escaping @Sendable () -> Void) -> Void {
        guard !inReadBurst, !flushScheduled else { return }
        flushScheduled = true
        eventLoop.execute(flush)
    }

    mutating func flushing() {
        flushScheduled = false
    }
}
