/// The status of a failed call: a gRPC status code and a message for the caller.
///
/// `cause` is the error behind it, for the server's log only: it never goes on the wire, and two
/// statuses that differ only in their cause are equal.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; it tells the caller whether to retry (see ``Code``).
    public var code: Code
    /// An explanation for the caller; it goes on the wire as the status message.
    public var message: String
    /// Trailing metadata sent with the status.
    public var metadata: Metadata
    /// The error behind the status, for the server's log only; ignored by `==` and `hash(into:)`.
    public var cause: (any Error)?

    /// A status to throw from a handler or an interceptor. `cause` never goes on the wire; the server logs it
    /// when `code` is a server fault (see ``Code/isServerFault``).
    public init(code: Code, message: String, metadata: Metadata = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.cause = cause
    }

    /// `CODE: message`, e.g. `NOT_FOUND: unknown service 'x'`.
    public var description: String { "\(code): \(message)" }

    /// Compares code, message and metadata; the cause is ignored.
    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.metadata == rhs.metadata
    }

    /// Hashes code, message and metadata, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(metadata)
    }
}

extension RPCError {
    /// gRPC's status codes, with their numeric values on the wire. Opaque so that codes can be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The number sent in a STATUS frame.
        public let rawValue: Int32

        /// A code received from a peer; unknown numbers map to ``unknown``.
        public init(wireValue: Int32) {
            self.rawValue = (0...16).contains(wireValue) ? wireValue : Self.unknown.rawValue
        }

        private init(_ rawValue: Int32) { self.rawValue = rawValue }

        // When each is sent and whether a client may retry: also the table in Proto/PROTOCOL.md.

        /// The call succeeded.
        public static let ok = Code(0)
        /// The caller cancelled the call (sent a CANCEL frame, or its task was cancelled). Retry: yes, if still wanted.
        public static let cancelled = Code(1)
        /// The handler failed with an error it did not map: a bug or an unforeseen failure. The message
        /// says nothing more; the server logged the real error once. Retry: only if the method is idempotent.
        public static let unknown = Code(2)
        /// The request is wrong whatever the server's state (a missing field, a value out of range); the
        /// message and the `field` metadata name the field. Retry: no, not the same request.
        public static let invalidArgument = Code(3)
        /// The call's deadline passed before it finished; its handler was cancelled, but work it already
        /// committed stays committed. Retry: yes, with idempotency keys.
        public static let deadlineExceeded = Code(4)
        /// The thing the request names (a machine, an alert) does not exist. Retry: no.
        public static let notFound = Code(5)
        /// The thing the request would create exists already. Retry: no.
        public static let alreadyExists = Code(6)
        /// The caller is known but may not do this. Retry: no.
        public static let permissionDenied = Code(7)
        /// A limit was hit: too many calls on one connection, a frame over the size limit, a service
        /// saturated. Retry: yes, after a back-off (except for an oversized request).
        public static let resourceExhausted = Code(8)
        /// The system is not in a state to do this (e.g. a task that is already completed). Retry: not
        /// until the state changes.
        public static let failedPrecondition = Code(9)
        /// A concurrent change won (a conflict). Retry: yes, re-reading first.
        public static let aborted = Code(10)
        /// A value past the valid range of the current data (a page past the end). Retry: no.
        public static let outOfRange = Code(11)
        /// The server has no such method (a newer client, or a wrong path). Retry: no.
        public static let unimplemented = Code(12)
        /// An invariant of the server broke (e.g. it could not encode its response). Retry: only if
        /// the method is idempotent.
        public static let `internal` = Code(13)
        /// The server cannot be reached, lost the connection, or is shutting down. The client sends it
        /// too, without a server. Retry: yes, with back-off and idempotency keys.
        public static let unavailable = Code(14)
        /// Data was lost or corrupted. Retry: no.
        public static let dataLoss = Code(15)
        /// The bearer token is missing or wrong. Retry: no, not with the same token.
        public static let unauthenticated = Code(16)

        private static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]

        /// gRPC's name for the code, e.g. `INVALID_ARGUMENT`.
        public var description: String { Self.names[Int(rawValue)] }

        /// Whether the code means the service itself failed (rather than the caller or the network):
        /// such calls are logged at error level.
        public var isServerFault: Bool { self == .unknown || self == .internal || self == .dataLoss }
    }
}

/// A domain error that knows which status it means. Conform service errors to this once; the RPC layer
/// does the mapping, handlers just throw.
public protocol RPCErrorConvertible: Error {
    /// The status the caller receives when a handler throws this error.
    var rpcError: RPCError { get }
}

extension RPCError {
    /// The status a handler's error becomes. Unknown errors are not described to the caller; they
    /// become the status's `cause`, for the server's log.
    static func fromHandlerError(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case let error as any RPCErrorConvertible: error.rpcError
        case is CancellationError: RPCError(code: .cancelled, message: "the call was cancelled")
        default: RPCError(code: .unknown, message: "the service failed to handle the call", cause: error)
        }
    }
}
