import Hummingbird
import PMRPC

/// Every error the public API returns: an HTTP status and the body
/// `{"error":{"code":"...","message":"...","field":"..."}}`. Internal RPC statuses become API errors
/// in ``init(_:)-(RPCError)``, the only place that maps them.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// Machine-readable, snake_case (`invalid_argument`, `not_found`, ...).
    public var code: String
    public var message: String
    /// The request field the error is about, when it is about one.
    public var field: String?
    /// `Retry-After` of a 429 or 503 (default 1 s).
    public var retryAfterSeconds = 1

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// 400: a field is missing, of the wrong type, or out of range.
    public static func invalid(_ field: String?, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_argument", message: message, field: field)
    }

    /// 404.
    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    /// An internal call's failure as the public sees it.
    public init(_ error: RPCError) {
        let field = error.metadata["field"].map(ServiceRefusals.publicField)
        switch error.code {
        case .invalidArgument, .outOfRange:
            self.init(.unprocessableContent, code: "invalid_argument", message: error.message, field: field)
        case .notFound: self.init(.notFound, code: "not_found", message: error.message)
        case .alreadyExists, .failedPrecondition, .aborted:
            self.init(.conflict, code: "conflict", message: error.message)
        case .unauthenticated: self.init(.unauthorized, code: "unauthenticated", message: error.message)
        case .permissionDenied: self.init(.forbidden, code: "permission_denied", message: error.message)
        case .resourceExhausted: self.init(.tooManyRequests, code: "rate_limited", message: error.message)
        case .unavailable, .cancelled:
            self.init(.serviceUnavailable, code: "unavailable", message: "a service is unavailable; retry shortly")
        case .deadlineExceeded:
            self.init(.gatewayTimeout, code: "deadline_exceeded", message: "a service did not answer in time")
        case .unimplemented: self.init(.notImplemented, code: "unimplemented", message: error.message)
        default: self.init(.internalServerError, code: "internal", message: "internal error")
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONWriter.document { json in
            json.object { json in
                json.key("error")
                json.object { json in
                    json.field("code", code)
                    json.field("message", message)
                    json.field("field", field)
                }
            }
        }.response(status: status)
        if status == .tooManyRequests || status == .serviceUnavailable {
            response.headers[.retryAfter] = String(retryAfterSeconds)
        }
        if status == .unauthorized {
            response.headers[.wwwAuthenticate] = #"Bearer realm="pm""#
        }
        return response
    }
}
