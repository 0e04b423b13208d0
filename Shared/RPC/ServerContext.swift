import Logging

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// The called method's path, e.g. `/pm.v1.IngestService/RecordReadings`.
    public var method: String
    /// The request metadata the caller sent, keys lower-cased.
    public var metadata: Metadata
    /// When the caller stops waiting; the handler's task is cancelled then.
    public var deadline: ContinuousClock.Instant?
    /// The call's id, unique only on its connection; 0 in contexts made outside a server.
    public var callID: UInt64
    /// The caller's address, for logs.
    public var peer: String
    /// Whether the server has the method; calls to unknown methods still pass the interceptors (so
    /// authentication comes first), and metrics group them under one label instead of the caller's text.
    public var isKnownMethod: Bool
    private var baseLogger: Logger

    /// A context as the server makes one for each call; tests make their own to call handlers directly.
    public init(
        method: String,
        metadata: Metadata = [:],
        deadline: ContinuousClock.Instant? = nil,
        logger: Logger,
        callID: UInt64 = 0,
        peer: String = "",
        isKnownMethod: Bool = true
    ) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.baseLogger = logger
        self.callID = callID
        self.peer = peer
        self.isKnownMethod = isKnownMethod
    }

    /// The server's logger with `rpc.method`, `rpc.call_id` and, when sent, `rpc.request_id`. Built on
    /// use: setting logger metadata costs about a tenth of a call's CPU with swift-log's stream handler.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "rpc.method"] = "\(method)"
        logger[metadataKey: "rpc.call_id"] = "\(callID)"
        if let requestID = metadata[Metadata.Keys.requestID] {
            logger[metadataKey: "rpc.request_id"] = "\(requestID)"
        }
        return logger
    }

    /// Who asks for the change: the caller's `pm-actor` metadata, else `fallback` (a request field
    /// kept for callers that send no metadata).
    public func actor(or fallback: String) -> String {
        metadata[Metadata.Keys.actor] ?? fallback
    }

    /// The level below which the logger drops messages, without building it.
    public var logLevel: Logger.Level { baseLogger.logLevel }
}
