import PMRPC

/// What a service's handlers throw for a request they refuse, mapped once to RPC status codes.
public enum ServiceError: Error, RPCErrorConvertible, Equatable {
    /// A field's value is refused: INVALID_ARGUMENT naming the field (`field` metadata).
    case invalidArgument(field: String, reason: String)
    /// `what` ("alert 12") does not exist: NOT_FOUND.
    case notFound(String)
    /// `what` exists already: ALREADY_EXISTS.
    case alreadyExists(String)
    /// The request is valid but the current state forbids it ("alert 12 is resolved"): FAILED_PRECONDITION.
    case failedPrecondition(String)
    /// The service is saturated; the caller should retry shortly: RESOURCE_EXHAUSTED.
    case resourceExhausted(String)

    /// The status the caller receives.
    public var rpcError: RPCError {
        switch self {
        case .invalidArgument(let field, let reason):
            RPCError(code: .invalidArgument, message: "\(field): \(reason)", metadata: ["field": field])
        case .notFound(let what):
            RPCError(code: .notFound, message: "\(what) does not exist")
        case .alreadyExists(let what):
            RPCError(code: .alreadyExists, message: "\(what) already exists")
        case .failedPrecondition(let message):
            RPCError(code: .failedPrecondition, message: message)
        case .resourceExhausted(let message):
            RPCError(code: .resourceExhausted, message: message)
        }
    }
}
