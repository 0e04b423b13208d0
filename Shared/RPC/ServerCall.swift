import NIOCore

/// One call's bridge between its handler task and its connection.
final class ServerCall: @unchecked Sendable {
    // `responseFrame` (the framed STATUS with the unary response) is written only by the call's task and
    // read by the connection after that task has finished and hopped to the loop, which orders the accesses.
    var responseFrame: ByteBuffer?
    let id: UInt64
    let eventLoop: any EventLoop
    /// nil for a call run without a connection (fuzzing handlers): its stream writes end the call.
    private let connection: NIOLoopBound<ServerConnectionHandler>?

    init(id: UInt64, eventLoop: any EventLoop, connection: NIOLoopBound<ServerConnectionHandler>?) {
        self.id = id
        self.eventLoop = eventLoop
        self.connection = connection
    }

    /// Resumes once the framed message is written; throws `CancellationError` once the call is over.
    func writeStreamFrame(_ frame: ByteBuffer) async throws {
        try Task.checkCancellation()
        guard let connection = self.connection else { throw CancellationError() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            runOnLoop(eventLoop) {
                connection.value.enqueueStreamFrame(self, frame: frame, continuation: continuation)
            }
        }
    }
}
