import NIOCore

/// Batches flushes: frames written during a read burst are flushed once at `channelReadComplete`, frames
/// written by tasks are flushed once after every task already queued on the loop has run. The prototype
/// in docs/rpc-design.md measured a flush per message at a third of the throughput of flushing per burst. Loop-confined.
final class FlushCoalescer {
    private var inReadBurst = false
    private var flushScheduled = false

    func readStarted() {
        inReadBurst = true
    }

    func readCompleted(_ context: ChannelHandlerContext) {
        inReadBurst = false
        context.flush()
    }

    /// Writes `data` and makes sure a flush follows soon.
    func write(_ data: NIOAny, context: ChannelHandlerContext) {
        context.write(data, promise: nil)
        guard !inReadBurst, !flushScheduled else { return }
        flushScheduled = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (coalescer, context) = bound.value
            coalescer.flushScheduled = false
            context.flush()
        }
    }
}
