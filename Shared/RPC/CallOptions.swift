/// Per-call settings of a client call.
public struct CallOptions: Sendable {
    /// The call's time budget; it is sent to the server, which cancels the handler when it runs out.
    /// nil: the client's `defaultTimeout` for a unary call, no limit for a server stream.
    public var timeout: Duration?
    /// Extra request metadata.
    public var metadata: Metadata
    /// How many stream messages the client buffers before the server must wait (server streams only).
    public var streamWindow: UInt32

    /// Options with these settings; a `streamWindow` of 0 is raised to 1.
    public init(timeout: Duration? = nil, metadata: Metadata = [:], streamWindow: UInt32 = 32) {
        self.timeout = timeout
        self.metadata = metadata
        self.streamWindow = max(streamWindow, 1)
    }

    /// No timeout of the call's own (the client's default applies), no extra metadata, a window of 32.
    public static let defaults = CallOptions()
}
