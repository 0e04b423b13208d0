import Logging
import NIOCore
@_spi(RPCWire) import PMProto

/// Serves the calls of one connection. Everything here runs on the connection's event loop; each call's
/// handler runs in its own task that prefers this loop, tracked in `calls` so that a CANCEL frame, a
/// deadline or a lost connection can cancel exactly that task, and counted so shutdown can drain them.
///
/// It also decides when the connection reads: not while the peer is not reading our answers (the
/// channel is not writable) nor while unary calls wait for a running slot, so a client that sends
/// and never reads can make the server hold only a bounded amount (PROTOCOL.md, "Connection").
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct ActiveCall {
        let call: ServerCall
        let kind: MethodDescriptor<Frame, Frame>.Kind
        var task: Task<Void, Never>?
        var deadline: NIODeadline?
        var credit: Int
        var pendingWrites: [(frame: ByteBuffer, continuation: CheckedContinuation<Void, any Error>)] = []
        /// Starts the handler; kept while a unary call waits for a running slot.
        var launch: (() -> Void)?
    }

    private let configuration: RPCServer.Configuration
    private let routes: [String: Route]
    private let interceptors: [any ServerInterceptor]
    private let executor: EventLoopTaskExecutor
    private var logger: Logger
    private let peer: String
    /// Succeeds when the connection is closed and every handler task has returned.
    let finished: EventLoopPromise<Void>

    private var calls: [UInt64: ActiveCall] = [:]
    private var runningTasks = 0
    /// Unary handlers running, and the unary calls waiting to run, oldest first.
    private var runningUnary = 0
    private var waitingUnary: [UInt64] = []
    /// A read the channel asked for while reading was paused, made once the pause ends.
    private var pendingRead = false
    private var context: ChannelHandlerContext?
    private let flushes = FlushCoalescer()
    private let deadlines = DeadlineTimer()
    /// Checks for a frame stuck incomplete and for idleness; armed rarely (see ``watchForStall()``).
    private let stallTimer = DeadlineTimer()
    private let progress: FrameProgress
    private var lastActivity = NIODeadline.now()
    private var draining = false
    private var closed = false

    init(
        configuration: RPCServer.Configuration,
        routes: [String: Route],
        interceptors: [any ServerInterceptor],
        channel: any Channel,
        progress: FrameProgress,
        logger: Logger
    ) {
        self.configuration = configuration
        self.progress = progress
        self.routes = routes
        self.interceptors = interceptors
        self.executor = EventLoopTaskExecutor(eventLoop: channel.eventLoop)
        self.peer = channel.remoteAddress.map { "\($0)" } ?? "unknown"
        self.finished = channel.eventLoop.makePromise()
        var logger = logger
        logger[metadataKey: "rpc.peer"] = "\(self.peer)"
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        watchForStall()
    }

    /// Breaks the handler <-> context cycle once the pipeline lets go of us (when the channel closes).
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        flushes.readStarted()
        lastActivity = .now()
        let frame = unwrapInboundIn(data)
        guard frame.callID != 0 else {
            return protocolViolation("frame of type \(frame.type) without a call id")
        }
        switch frame.type {
        case .call: startCall(frame)
        case .cancel: endCall(frame.callID, status: nil)
        case .credit: addCredit(frame.callID, Int(frame.credit))
        default: protocolViolation("a client may not send frames of type \(frame.type)")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushes.readCompleted(context)
        if progress.incompleteSince != nil { watchForStall() }
    }

    /// Closes a connection whose frame has stayed incomplete for the frame timeout, or that has had no
    /// call for the idle timeout. The timer is armed only when it must fire sooner than it would; a
    /// timer that fires early re-checks and re-arms, so a busy connection schedules next to nothing.
    private func watchForStall() {
        guard let context, !closed else { return }
        let now = NIODeadline.now()
        let due: NIODeadline
        if let since = progress.incompleteSince, context.channel.isWritable {
            due = since + .nanoseconds(configuration.frameTimeout.nanoseconds)
            if now >= due {
                return protocolViolation("a frame stayed incomplete for \(configuration.frameTimeout)")
            }
        } else if calls.isEmpty {
            due = lastActivity + .nanoseconds(configuration.idleTimeout.nanoseconds)
            if now >= due {
                logger.info("closing idle RPC connection", metadata: ["rpc.idle": "\(configuration.idleTimeout)"])
                context.close(promise: nil)
                return
            }
        } else {
            // Busy, or reads paused with a frame half read: look again later.
            due = now + .nanoseconds(min(configuration.idleTimeout, configuration.frameTimeout).nanoseconds)
        }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        stallTimer.arm(at: due, on: context.eventLoop) { bound.value.watchForStall() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            // Time spent with reads paused does not count against a partial frame.
            if progress.incompleteSince != nil { progress.incompleteSince = .now() }
            for id in Array(calls.keys) { writePendingStreamMessages(id) }
            launchWaitingCalls()
            resumeReadingIfAllowed()
        }
        context.fireChannelWritabilityChanged()
    }

    /// Reads are paused while answers back up or unary calls wait for a slot.
    private var readingAllowed: Bool {
        (context?.channel.isWritable ?? false) && waitingUnary.isEmpty
    }

    func read(context: ChannelHandlerContext) {
        if readingAllowed {
            context.read()
        } else {
            pendingRead = true
        }
    }

    private func resumeReadingIfAllowed() {
        guard pendingRead, readingAllowed, let context else { return }
        pendingRead = false
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.warning("closing RPC connection", metadata: ["reason": "\(error)"])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        deadlines.cancel()
        stallTimer.cancel()
        for id in Array(calls.keys) { endCall(id, status: nil) }
        completeIfFinished()
        context.fireChannelInactive()
    }

    /// Stops taking calls, ends server streams with UNAVAILABLE, and closes once unary calls have finished.
    func drain() {
        draining = true
        // Streams end; unary calls that have not started yet never will (safe to retry elsewhere).
        for (id, call) in calls where call.kind == .serverStreaming || call.launch != nil {
            endCall(id, status: RPCError(code: .unavailable, message: "the server is shutting down"))
        }
        closeIfDrained()
    }

    // MARK: Calls

    private func startCall(_ frame: Frame) {
        let id = frame.callID
        guard calls[id] == nil else {
            return protocolViolation("call id \(id) is already in use")
        }
        if draining {
            return writeStatus(id, RPCError(code: .unavailable, message: "the server is shutting down"))
        }
        guard calls.count < configuration.maxConcurrentCallsPerConnection else {
            return writeStatus(id, RPCError(code: .resourceExhausted, message: "too many concurrent calls on this connection"))
        }
        guard frame.timeoutUs >= 0 else {
            return writeStatus(id, RPCError(code: .invalidArgument, message: "timeout_us must not be negative (0: no deadline)"))
        }
        // An unknown method still goes through the interceptors: authentication comes before routing,
        // so a caller without the token cannot learn which methods exist.
        let known = routes[frame.method]
        let route = known ?? Route.unknownMethod(frame.method)
        guard let context else { return }

        var metadata = Metadata()
        for entry in frame.metadata { metadata.add(entry.key, entry.value) }
        let deadline = frame.timeoutUs > 0 ? ContinuousClock.now + .microseconds(frame.timeoutUs) : nil
        let serverContext = ServerContext(
            method: frame.method, metadata: metadata, deadline: deadline, logger: logger, callID: id, peer: peer,
            isKnownMethod: known != nil
        )
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let call = ServerCall(id: id, eventLoop: context.eventLoop, connection: bound)
        let window = frame.credit > 0 ? Int(frame.credit) : configuration.defaultStreamWindow
        calls[id] = ActiveCall(call: call, kind: route.kind, credit: window)

        if frame.timeoutUs > 0 {
            let deadline = NIODeadline.now() + .microseconds(frame.timeoutUs)
            calls[id]?.deadline = deadline
            deadlines.arm(at: deadline, on: context.eventLoop) { bound.value.expireDeadlines() }
        }

        let payload = frame.payload ?? []
        let chain = interceptors.wrapping { context in
            try await route.invoke(payload, context, call)
        }
        let launch = { [self] in
            runningTasks += 1
            if route.kind == .unary { runningUnary += 1 }
            calls[id]?.launch = nil
            calls[id]?.task = Task(executorPreference: executor) {
                let status: RPCError?
                do {
                    try await chain(serverContext)
                    status = nil
                } catch {
                    let failure = RPCError.fromHandlerError(error)
                    // The one log line of a call the service failed, with the real error; the caller
                    // gets only the status.
                    if failure.code.isServerFault {
                        serverContext.logger.error(
                            "call failed",
                            metadata: [
                                "rpc.code": "\(failure.code)", "rpc.message": "\(failure.message)",
                                "error": "\(failure.cause.map { String(reflecting: $0) } ?? failure.message)",
                            ])
                    }
                    status = failure
                }
                let response = call.responseFrame
                runOnLoop(call.eventLoop) {
                    bound.value.handlerReturned(call, kind: route.kind, status: status, response: response)
                }
            }
        }
        if route.kind == .unary, runningUnary >= configuration.maxRunningUnaryCallsPerConnection || !context.channel.isWritable {
            calls[id]?.launch = launch
            waitingUnary.append(id)
        } else {
            launch()
        }
    }

    /// Starts waiting unary calls, oldest first, while slots are free and the peer reads its answers.
    /// A call that ended while waiting (cancelled, past its deadline) is skipped.
    private func launchWaitingCalls() {
        guard let context else { return }
        var next = 0
        while next < waitingUnary.count, runningUnary < configuration.maxRunningUnaryCallsPerConnection, context.channel.isWritable {
            let id = waitingUnary[next]
            next += 1
            if let launch = calls[id]?.launch { launch() }
        }
        waitingUnary.removeFirst(next)
        resumeReadingIfAllowed()
    }

    /// The handler of `call` returned. Its id may meanwhile belong to a new call (the old one ended
    /// by its deadline and the client reused the id): only the same call is ended with this answer.
    private func handlerReturned(_ call: ServerCall, kind: MethodDescriptor<Frame, Frame>.Kind, status: RPCError?, response: ByteBuffer?) {
        runningTasks -= 1
        if kind == .unary { runningUnary -= 1 }
        let id = call.id
        if calls[id]?.call === call {
            if let status {
                endCall(id, status: status)
            } else {
                endCall(id, status: nil, sendOK: true, response: response)
            }
        }
        launchWaitingCalls()
        lastActivity = .now()
        closeIfDrained()
        completeIfFinished()
    }

    /// Ends a call: sends its final status (none for a CANCEL or a lost connection), cancels its task and
    /// fails its waiting writers.
    private func endCall(_ id: UInt64, status: RPCError?, sendOK: Bool = false, response: ByteBuffer? = nil) {
        guard let call = calls.removeValue(forKey: id) else { return }
        if call.launch != nil {
            waitingUnary.removeAll { $0 == id }
            resumeReadingIfAllowed()
        }
        if let status {
            writeStatus(id, status)
        } else if sendOK {
            writeOK(id, response: response)
        }
        call.task?.cancel()
        for pending in call.pendingWrites {
            pending.continuation.resume(throwing: CancellationError())
        }
    }

    /// Ends every call whose deadline has passed and re-arms the timer for the next one.
    private func expireDeadlines() {
        guard let context else { return }
        let now = NIODeadline.now()
        for (id, call) in calls {
            if let deadline = call.deadline, deadline <= now {
                endCall(id, status: RPCError(code: .deadlineExceeded, message: "the call's deadline passed"))
            }
        }
        if let next = calls.values.compactMap(\.deadline).min() {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            deadlines.arm(at: next, on: context.eventLoop) { bound.value.expireDeadlines() }
        }
    }

    private func addCredit(_ id: UInt64, _ credit: Int) {
        guard calls[id] != nil else { return }
        // Credit is bounded like its wire type, so a peer sending CREDIT forever cannot overflow it.
        calls[id]!.credit = min(calls[id]!.credit + credit, Int(UInt32.max))
        writePendingStreamMessages(id)
    }

    func enqueueStreamFrame(_ call: ServerCall, frame: ByteBuffer, continuation: CheckedContinuation<Void, any Error>) {
        let id = call.id
        guard calls[id]?.call === call else {
            return continuation.resume(throwing: CancellationError())
        }
        guard frame.readableBytes - 4 <= configuration.maxFrameSize else {
            return continuation.resume(
                throwing: RPCError(code: .resourceExhausted, message: "a stream message exceeds the frame size limit"))
        }
        calls[id]!.pendingWrites.append((frame, continuation))
        writePendingStreamMessages(id)
    }

    /// Writes a stream's messages while it has credit and the socket takes them. Re-entrant: a write
    /// can report a change of writability, which calls back in here, so the call's state is updated
    /// before each write and read afresh after it.
    private func writePendingStreamMessages(_ id: UInt64) {
        while let context, context.channel.isWritable, let call = calls[id], call.credit > 0, !call.pendingWrites.isEmpty {
            let pending = calls[id]!.pendingWrites.removeFirst()
            calls[id]!.credit -= 1
            write(pending.frame)
            pending.continuation.resume()
        }
    }

    // MARK: Writing

    /// A successful call's STATUS: the unary response's ready frame, or an empty STATUS after a stream.
    private func writeOK(_ id: UInt64, response: ByteBuffer?) {
        guard let response else {
            return write(Frame(callID: id, type: .status, statusCode: RPCError.Code.ok.rawValue))
        }
        guard response.readableBytes - 4 <= configuration.maxFrameSize else {
            return writeStatus(id, RPCError(code: .resourceExhausted, message: "the response exceeds the frame size limit"))
        }
        write(response)
    }

    private func writeStatus(_ id: UInt64, _ error: RPCError) {
        write(
            Frame(
                callID: id,
                type: .status,
                metadata: error.metadata.map { MetadataEntry(key: $0.key, value: $0.value) },
                statusCode: error.code.rawValue,
                statusMessage: error.message
            ))
    }

    private func write(_ frame: Frame) {
        guard let context else { return }
        write(context.channel.allocator.rpcFrame(frame))
    }

    private func write(_ buffer: ByteBuffer) {
        guard let context, !closed else { return }
        flushes.write(wrapOutboundOut(buffer), context: context)
    }

    // MARK: Closing

    private func protocolViolation(_ reason: String) {
        logger.warning("closing RPC connection", metadata: ["reason": "\(reason)"])
        context?.close(promise: nil)
    }

    private func closeIfDrained() {
        if draining, calls.isEmpty, runningTasks == 0, !closed {
            context?.flush()
            context?.close(promise: nil)
        }
    }

    private func completeIfFinished() {
        if closed, runningTasks == 0 {
            finished.succeed()
        }
    }
}
