import NIOCore
@_spi(RPCWire) import PMProto

/// Tracks the calls in flight on one client connection and routes the server's frames to them.
/// Everything here runs on the connection's event loop.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    private enum PendingCall {
        case unary(CheckedContinuation<[UInt8], any Error>)
        case stream(AsyncThrowingStream<[UInt8], any Error>.Continuation, creditLeft: Int)
    }

    private struct Entry {
        var call: PendingCall
        var deadline: NIODeadline?
    }

    private var calls: [UInt64: Entry] = [:]
    private var context: ChannelHandlerContext?
    private let flushes = FlushCoalescer()
    private let deadlines = DeadlineTimer()
    private var closedReason: RPCError?
    private let peer: String

    init(peer: String) {
        self.peer = peer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Breaks the handler <-> context cycle once the pipeline lets go of us (when the channel closes).
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Starting and cancelling calls

    func startUnary(
        _ id: UInt64,
        frame: ByteBuffer,
        timeout: Duration?,
        continuation: CheckedContinuation<[UInt8], any Error>
    ) {
        guard register(id, .unary(continuation), timeout: timeout) else { return }
        write(frame)
    }

    func startStream(
        _ id: UInt64,
        frame: ByteBuffer,
        timeout: Duration?,
        window: Int,
        continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) {
        guard register(id, .stream(continuation, creditLeft: window), timeout: timeout) else { return }
        write(frame)
    }

    /// The caller gave up: fail the call locally and tell the server.
    func cancel(_ id: UInt64, because error: RPCError) {
        guard calls[id] != nil else { return }
        fail(id, error)
        write(Frame(callID: id, type: .cancel))
    }

    func grantCredit(_ id: UInt64, _ credit: Int) {
        guard case .stream(let continuation, let left)? = calls[id]?.call else { return }
        calls[id]?.call = .stream(continuation, creditLeft: left + credit)
        write(Frame(callID: id, type: .credit, credit: UInt32(credit)))
    }

    private func register(_ id: UInt64, _ call: PendingCall, timeout: Duration?) -> Bool {
        if let closedReason {
            switch call {
            case .unary(let continuation): continuation.resume(throwing: closedReason)
            case .stream(let continuation, _): continuation.finish(throwing: closedReason)
            }
            return false
        }
        var entry = Entry(call: call)
        if let timeout, let context {
            let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
            entry.deadline = deadline
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            deadlines.arm(at: deadline, on: context.eventLoop) { bound.value.expireDeadlines() }
        }
        calls[id] = entry
        return true
    }

    /// Fails every call whose deadline has passed (telling the server) and re-arms for the next one.
    private func expireDeadlines() {
        guard let context else { return }
        let now = NIODeadline.now()
        for (id, entry) in calls {
            if let deadline = entry.deadline, deadline <= now {
                cancel(id, because: RPCError(code: .deadlineExceeded, message: "the call's deadline passed"))
            }
        }
        if let next = calls.values.compactMap(\.deadline).min() {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            deadlines.arm(at: next, on: context.eventLoop) { bound.value.expireDeadlines() }
        }
    }

    // MARK: Frames from the server

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        flushes.readStarted()
        let frame = unwrapInboundIn(data)
        switch frame.type {
        case .status: finish(frame)
        case .message: deliver(frame)
        default: protocolViolation("a server may not send frames of type \(frame.type)")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushes.readCompleted(context)
    }

    private func finish(_ frame: Frame) {
        guard let entry = calls.removeValue(forKey: frame.callID) else { return }
        let code = RPCError.Code(wireValue: frame.statusCode)
        if code == .ok {
            switch entry.call {
            case .unary(let continuation): continuation.resume(returning: frame.payload ?? [])
            case .stream(let continuation, _): continuation.finish()
            }
        } else {
            var metadata = Metadata()
            for entry in frame.metadata { metadata.add(entry.key, entry.value) }
            let error = RPCError(code: code, message: frame.statusMessage, metadata: metadata)
            switch entry.call {
            case .unary(let continuation): continuation.resume(throwing: error)
            case .stream(let continuation, _): continuation.finish(throwing: error)
            }
        }
    }

    private func deliver(_ frame: Frame) {
        guard case .stream(let continuation, let left)? = calls[frame.callID]?.call else { return }
        guard left > 0 else {
            return cancel(frame.callID, because: RPCError(code: .internal, message: "the server overran the stream's window"))
        }
        calls[frame.callID]?.call = .stream(continuation, creditLeft: left - 1)
        continuation.yield(frame.payload ?? [])
    }

    // MARK: Connection errors

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeAll(RPCError(code: .unavailable, message: "connection to \(peer) failed: \(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.cancel()
        closeAll(RPCError(code: .unavailable, message: "connection to \(peer) was lost"))
        context.fireChannelInactive()
    }

    private func protocolViolation(_ reason: String) {
        closeAll(RPCError(code: .internal, message: "the server at \(peer) broke the protocol: \(reason)"))
        context?.close(promise: nil)
    }

    private func closeAll(_ error: RPCError) {
        if closedReason == nil { closedReason = error }
        for id in Array(calls.keys) { fail(id, error) }
    }

    private func fail(_ id: UInt64, _ error: RPCError) {
        guard let entry = calls.removeValue(forKey: id) else { return }
        switch entry.call {
        case .unary(let continuation): continuation.resume(throwing: error)
        case .stream(let continuation, _): continuation.finish(throwing: error)
        }
    }

    // MARK: Writing

    private func write(_ frame: Frame) {
        guard let context else { return }
        write(context.channel.allocator.rpcFrame(frame))
    }

    private func write(_ buffer: ByteBuffer) {
        guard let context else { return }
        flushes.write(wrapOutboundOut(buffer), context: context)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
