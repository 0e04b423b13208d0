import NIOCore
import NIOPosix
@_spi(RPCWire) import PMProto

/// A plain TCP connection to a server on this machine that speaks the wire format by hand, to send what a well-behaved client never would.
public final class RawConnection {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var received = ByteBuffer()

    /// An event loop of the raw connections' own, so that a server or client blocking the shared
    /// group's threads in the same test process cannot delay what these connections see.
    private static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) async throws {
        channel = try await ClientBootstrap(group: Self.eventLoopGroup)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        inbound = channel.inbound.makeAsyncIterator()
        outbound = channel.outbound
    }

    /// Writes `bytes` as they are.
    public func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// `frame` with its 4-byte big-endian length prefix.
    @_spi(RPCWire) public static func framed(_ frame: Frame) -> [UInt8] {
        let body = frame.serializedBytes()
        let length = UInt32(body.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body
    }

    /// The next frame, or nil when the server closed the connection.
    @_spi(RPCWire) public func readFrame() async throws -> Frame? {
        while true {
            if let length = received.getInteger(at: received.readerIndex, as: UInt32.self),
                received.readableBytes >= 4 + Int(length)
            {
                received.moveReaderIndex(forwardBy: 4)
                return try Frame(serializedBytes: received.readBytes(length: Int(length))!)
            }
            guard var chunk = try await inbound.next() else { return nil }
            received.writeBuffer(&chunk)
        }
    }

    /// Whether the server closes the connection within two minutes (reading and dropping any frames).
    /// A close comes at once; the generous limit absorbs a test process whose threads are all busy.
    public func closedByServer() async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { [self] in
                while try await self.readFrame() != nil {}
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(120))
                return false
            }
            let result = try await group.next()!
            group.cancelAll()
            return result
        }
    }

    /// Sends one unary CALL whose payload is `payload` exactly as given (bytes a well-behaved client
    /// could never encode) and returns the call's STATUS frame, or nil if the server closed the connection.
    @_spi(RPCWire) public func unaryCall(method: String, token: String, payload: [UInt8], callID: UInt64 = 1) async throws -> Frame? {
        let authorization = MetadataEntry(key: "authorization", value: "Bearer \(token)")
        try await send(Self.framed(Frame(callID: callID, type: .call, method: method, metadata: [authorization], payload: payload)))
        while let frame = try await readFrame() {
            if frame.type == .status { return frame }
        }
        return nil
    }

    deinit {
        outbound.finish()  // NIO traps when a writer is freed unfinished (a test that forgot close())
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.channel.close()
    }
}

// Used by one task at a time: a test hands it to a child task only while it waits for that task.
extension RawConnection: @unchecked Sendable {}
