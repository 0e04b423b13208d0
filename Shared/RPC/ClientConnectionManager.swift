import NIOCore
import NIOPosix
import Synchronization

/// Keeps a client's single connection: connects on first use, reconnects after a loss, and backs off
/// exponentially while the server is unreachable. During a back-off calls fail at once with UNAVAILABLE
/// instead of queueing behind a dead peer.
final class ClientConnectionManager: Sendable {
    private enum State {
        case idle(attempt: Int)
        case connecting(EventLoopFuture<ClientConnection>)
        case ready(ClientConnection)
        case backingOff(until: NIODeadline, attempt: Int)
        case closed
    }

    private let state = Mutex<State>(.idle(attempt: 0))
    private let configuration: RPCClient.Configuration
    private let group: any EventLoopGroup
    private let callIDs = CallIDGenerator()

    init(configuration: RPCClient.Configuration, group: any EventLoopGroup) {
        self.configuration = configuration
        self.group = group
    }

    var nextCallID: UInt64 { callIDs.nextID() }

    func connection() async throws -> ClientConnection {
        enum Action {
            case use(ClientConnection)
            case wait(EventLoopFuture<ClientConnection>)
            case connect(attempt: Int, EventLoopPromise<ClientConnection>)
            case fail(RPCError)
        }
        let action: Action = state.withLock { state in
            switch state {
            case .ready(let connection):
                return .use(connection)
            case .connecting(let future):
                return .wait(future)
            case .idle(let attempt):
                let promise = group.next().makePromise(of: ClientConnection.self)
                state = .connecting(promise.futureResult)
                return .connect(attempt: attempt, promise)
            case .backingOff(let until, let attempt):
                guard NIODeadline.now() >= until else {
                    let milliseconds = (until - NIODeadline.now()).nanoseconds / 1_000_000
                    return .fail(
                        RPCError(
                            code: .unavailable,
                            message: "\(configuration.target) is unreachable; next attempt in \(milliseconds) ms"
                        ))
                }
                let promise = group.next().makePromise(of: ClientConnection.self)
                state = .connecting(promise.futureResult)
                return .connect(attempt: attempt, promise)
            case .closed:
                return .fail(RPCError(code: .unavailable, message: "the client is closed"))
            }
        }
        switch action {
        case .use(let connection):
            return connection
        case .wait(let future):
            return try await future.get()
        case .fail(let error):
            throw error
        case .connect(let attempt, let promise):
            connect(attempt: attempt, promise: promise)
            return try await promise.futureResult.get()
        }
    }

    private func connect(attempt: Int, promise: EventLoopPromise<ClientConnection>) {
        let configuration = self.configuration
        let callIDs = self.callIDs
        ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(RPCFrameDecoder(maxFrameSize: configuration.maxFrameSize))
                    )
                    try channel.pipeline.syncOperations.addHandler(ClientConnectionHandler(peer: configuration.target))
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
                return ClientConnection(
                    channel: channel,
                    handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                    callIDs: callIDs,
                    maxFrameSize: configuration.maxFrameSize
                )
            }
            .whenComplete { result in
                switch result {
                case .success(let connection):
                    self.connected(connection)
                    promise.succeed(connection)
                case .failure(let error):
                    self.failed(attempt: attempt)
                    promise.fail(RPCError(code: .unavailable, message: "cannot connect to \(configuration.target): \(error)"))
                }
            }
    }

    private func connected(_ connection: ClientConnection) {
        let keep = state.withLock { state -> Bool in
            guard case .connecting = state else { return false }
            state = .ready(connection)
            return true
        }
        guard keep else {
            connection.channel.close(promise: nil)
            return
        }
        connection.channel.closeFuture.whenComplete { _ in
            self.state.withLock { state in
                if case .ready(let current) = state, current.channel === connection.channel {
                    state = .idle(attempt: 0)
                }
            }
        }
    }

    private func failed(attempt: Int) {
        let delay = configuration.backoff.delay(forAttempt: attempt)
        state.withLock { state in
            if case .connecting = state {
                state = .backingOff(until: .now() + .nanoseconds(delay.nanoseconds), attempt: attempt + 1)
            }
        }
    }

    func close() async {
        let previous = state.withLock { state -> State in
            defer { state = .closed }
            return state
        }
        switch previous {
        case .ready(let connection): try? await connection.channel.close()
        case .connecting(let future): try? await future.get().channel.close()
        default: break
        }
    }
}
