import Logging
import NIOCore
import NIOPosix
@_spi(RPCWire) import PMProto

// Entry points for the fuzzers in Fuzz/ and the replay of their fail cases in the tests: the same
// decoding and handlers a server runs, reachable without a socket.

@_spi(Fuzzing)
extension RPCRouter {
    /// The paths of every registered method, sorted.
    public var methodPaths: [String] { routes.keys.sorted() }

    /// Runs `path`'s handler on `payload` as a server would (decoding included), without a connection,
    /// and throws the status a client would receive. A unary response is encoded and dropped. A server
    /// stream's first message ends the call, as a client gone away would; a stream still waiting for data
    /// after `streamTime` is cancelled, and what it answers then reaches no one, so it is not thrown.
    public func invokeWithoutConnection(
        path: String, payload: [UInt8], logger: Logger, streamTime: Duration = .milliseconds(20)
    ) async throws(RPCError) {
        guard let route = routes[path] else { throw RPCError(code: .unimplemented, message: "unknown method \(path)") }
        let call = ServerCall(id: 1, eventLoop: MultiThreadedEventLoopGroup.singleton.next(), connection: nil)
        let task = Task { try await route.invoke(payload, ServerContext(method: path, logger: logger), call) }
        let watchdog = Task {
            guard route.kind == .serverStreaming else { return }
            try await Task.sleep(for: streamTime)
            task.cancel()
        }
        defer { watchdog.cancel() }
        do {
            try await task.value
        } catch {
            if route.kind == .serverStreaming, task.isCancelled || error is CancellationError { return }
            throw RPCError.fromHandlerError(error)
        }
    }
}

/// Splits bytes into frames exactly as a server connection does.
@_spi(Fuzzing)
public enum FrameSplitter {
    /// The frames `bytes` holds, up to the first violation of the framing rules (nil if none), reading
    /// them as a connection that ends after the last byte.
    public static func frames(in bytes: [UInt8], maxFrameSize: Int) -> (frames: [Frame], violation: RPCProtocolViolation?) {
        var decoder = RPCFrameDecoder(maxFrameSize: maxFrameSize)
        var buffer = ByteBuffer(bytes: bytes)
        var frames: [Frame] = []
        do {
            while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
            while let frame = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { frames.append(frame) }
            return (frames, nil)
        } catch let violation as RPCProtocolViolation {
            return (frames, violation)
        } catch {
            preconditionFailure("the frame decoder throws only RPCProtocolViolation, not \(error)")
        }
    }

    /// `frame` with its length prefix, as a connection writes it.
    public static func framed(_ frame: Frame) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        buffer.writeRPCFrame(frame)
        return Array(buffer.readableBytesView)
    }
}
