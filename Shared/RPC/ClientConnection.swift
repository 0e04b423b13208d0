import NIOCore
@_spi(RPCWire) import PMProto
import Synchronization

/// One open connection of a client; starts calls on it from any thread.
struct ClientConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ClientConnectionHandler>
    let callIDs: CallIDGenerator
    let maxFrameSize: Int

    var eventLoop: any EventLoop { channel.eventLoop }

    func unary(_ frame: Frame, request: some ProtoMessage, timeout: Duration?) async throws -> [UInt8] {
        let buffer = try encode(frame, request)
        let id = frame.callID
        let handler = self.handler
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                guard !Task.isCancelled else {
                    return continuation.resume(throwing: RPCError(code: .cancelled, message: "the call was cancelled"))
                }
                runOnLoop(eventLoop) {
                    handler.value.startUnary(id, frame: buffer, timeout: timeout, continuation: continuation)
                }
            }
        } onCancel: {
            runOnLoop(eventLoop) {
                handler.value.cancel(id, because: RPCError(code: .cancelled, message: "the call was cancelled"))
            }
        }
    }

    /// Starts a server stream; the returned stream yields raw messages and grants credit as they are consumed.
    func stream(_ frame: Frame, request: some ProtoMessage, timeout: Duration?, window: Int) throws -> RawResponseStream {
        let buffer = try encode(frame, request)
        let id = frame.callID
        let handler = self.handler
        let eventLoop = self.eventLoop
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        continuation.onTermination = { termination in
            if case .cancelled = termination {
                runOnLoop(eventLoop) {
                    handler.value.cancel(id, because: RPCError(code: .cancelled, message: "the stream was abandoned"))
                }
            }
        }
        runOnLoop(eventLoop) {
            handler.value.startStream(id, frame: buffer, timeout: timeout, window: window, continuation: continuation)
        }
        return RawResponseStream(stream: stream, window: window) { credit in
            runOnLoop(eventLoop) { handler.value.grantCredit(id, credit) }
        } cancel: {
            runOnLoop(eventLoop) {
                handler.value.cancel(id, because: RPCError(code: .cancelled, message: "the stream was abandoned"))
            }
        }
    }

    private func encode(_ frame: Frame, _ request: some ProtoMessage) throws -> ByteBuffer {
        let buffer = channel.allocator.rpcFrame(frame, message: request)
        guard buffer.readableBytes - 4 <= maxFrameSize else {
            throw RPCError(code: .resourceExhausted, message: "the request exceeds the frame size limit of \(maxFrameSize) bytes")
        }
        return buffer
    }
}

/// Hands out call ids, unique per client for its whole life.
final class CallIDGenerator: Sendable {
    private let next = Atomic<UInt64>(1)

    func nextID() -> UInt64 {
        next.add(1, ordering: .relaxed).oldValue
    }
}

/// The raw messages of one server stream, granting the server more credit as they are consumed.
struct RawResponseStream: Sendable {
    let stream: AsyncThrowingStream<[UInt8], any Error>
    let window: Int
    let grant: @Sendable (Int) -> Void
    let cancel: @Sendable () -> Void
}
