import Logging

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// `/pm.v1.IngestService/RecordReadings`.
    public var method: String
    public var metadata: Metadata
    /// When the caller stops waiting; the handler's task is cancelled then.
    public var deadline: ContinuousClock.Instant?
    /// Carries `rpc.method`, `rpc.call_id` and, when sent, `rpc.request_id`.
    public var logger: Logger
    public var callID: UInt64
    /// The caller's address, for logs.
    public var peer: String

    public init(
        method: String,
        metadata: Metadata = [:],
        deadline: ContinuousClock.Instant? = nil,
        logger: Logger,
        callID: UInt64 = 0,
        peer: String = ""
    ) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.logger = logger
        self.callID = callID
        self.peer = peer
    }
}
