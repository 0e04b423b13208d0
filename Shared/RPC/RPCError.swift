/// The status of a failed call: a gRPC status code and a message for the caller.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    public var message: String
    /// Trailing metadata sent with the status.
    public var metadata: Metadata

    public init(code: Code, message: String, metadata: Metadata = [:]) {
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    public var description: String { "\(code): \(message)" }
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

        public static let ok = Code(0)
        public static let cancelled = Code(1)
        public static let unknown = Code(2)
        public static let invalidArgument = Code(3)
        public static let deadlineExceeded = Code(4)
        public static let notFound = Code(5)
        public static let alreadyExists = Code(6)
        public static let permissionDenied = Code(7)
        public static let resourceExhausted = Code(8)
        public static let failedPrecondition = Code(9)
        public static let aborted = Code(10)
        public static let outOfRange = Code(11)
        public static let unimplemented = Code(12)
        public static let `internal` = Code(13)
        public static let unavailable = Code(14)
        public static let dataLoss = Code(15)
        public static let unauthenticated = Code(16)

        private static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]

        /// gRPC's name for the code, e.g. `INVALID_ARGUMENT`.
        public var description: String { Self.names[Int(rawValue)] }
    }
}

/// A domain error that knows which status it means. Conform service errors to this once; the RPC layer
/// does the mapping, handlers just throw.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError {
    /// The status a handler's error becomes. Unknown errors are not described to the caller.
    static func fromHandlerError(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case let error as any RPCErrorConvertible: error.rpcError
        case is CancellationError: RPCError(code: .cancelled, message: "the call was cancelled")
        default: RPCError(code: .unknown, message: "the service failed to handle the call")
        }
    }
}
