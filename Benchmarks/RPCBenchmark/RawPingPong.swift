import NIOCore
import NIOPosix
import Synchronization

/// The physical reference: length-agnostic echo over loopback TCP, NIO handlers only, no framing
/// logic, no codec, no tasks. Each of `connections` connections keeps `inFlight` fixed-size messages
/// outstanding and flushes once per read burst, as our RPC does.
enum RawPingPong {
    static func measure(
        messageSize: Int, inFlight: Int, connections: Int = 1, duration: Duration, server: any EventLoopGroup, client: any EventLoopGroup
    ) async throws -> Double {
        let serverChannel = try await ServerBootstrap(group: server)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let completed = Counter()
        var clientChannels = [any Channel]()
        for _ in 0..<connections {
            clientChannels.append(
                try await ClientBootstrap(group: client)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                PingPongClient(messageSize: messageSize, inFlight: inFlight, completed: completed)
                            )
                        }
                    }
                    .connect(to: serverChannel.localAddress!).get())
        }
        try await Task.sleep(for: .milliseconds(300))  // warm-up
        let start = completed.value
        let begin = ContinuousClock.now
        try await Task.sleep(for: duration)
        let count = completed.value - start
        let elapsed = ContinuousClock.now - begin
        for channel in clientChannels { try await channel.close() }
        try await serverChannel.close()
        return Double(count) / elapsed.seconds
    }

    private final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.write(data, promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }

    private final class PingPongClient: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let message: ByteBuffer
        let inFlight: Int
        let completed: Counter
        var pendingBytes = 0

        init(messageSize: Int, inFlight: Int, completed: Counter) {
            self.message = ByteBuffer(repeating: 7, count: messageSize)
            self.inFlight = inFlight
            self.completed = completed
        }

        func channelActive(context: ChannelHandlerContext) {
            for _ in 0..<inFlight { context.write(wrapOutboundOut(message), promise: nil) }
            context.flush()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pendingBytes += unwrapInboundIn(data).readableBytes
            var answered = 0
            while pendingBytes >= message.readableBytes {
                pendingBytes -= message.readableBytes
                answered += 1
                context.write(wrapOutboundOut(message), promise: nil)
            }
            completed.add(answered)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }
}

/// A count shared between a loop and the measuring task.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)

    func add(_ amount: Int) { storage.add(amount, ordering: .relaxed) }

    var value: Int { storage.load(ordering: .relaxed) }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
