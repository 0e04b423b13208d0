import PMRPC

/// What can go wrong in Ingest, mapped once to RPC status codes.
enum IngestError: Error, RPCErrorConvertible {
    case invalidArgument(field: String, reason: String)
    case notFound(String)
    case alreadyExists(String)
    case overloaded(pending: Int, limit: Int)

    var rpcError: RPCError {
        switch self {
        case .invalidArgument(let field, let reason):
            RPCError(code: .invalidArgument, message: "\(field): \(reason)", metadata: ["field": field])
        case .notFound(let what):
            RPCError(code: .notFound, message: "\(what) does not exist")
        case .alreadyExists(let what):
            RPCError(code: .alreadyExists, message: "\(what) already exists")
        case .overloaded(let pending, let limit):
            RPCError(
                code: .resourceExhausted,
                message: "ingest is saturated: \(pending) readings waiting to be written (limit \(limit)); retry shortly")
        }
    }
}
