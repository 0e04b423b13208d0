import Hummingbird
import Logging
import PMRPC

/// Turns whatever a route throws into an ``APIError`` response: the one shape every 4xx and 5xx has.
/// An error nobody anticipated is a 500 whose cause is logged, never sent.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch {
            return try Self.apiError(for: error, request: request, logger: context.logger)
                .response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error, request: Request, logger: Logger) -> APIError {
        switch error {
        case let error as RPCError:
            if error.code.isServerFault { logger.error("internal call failed", metadata: ["error": "\(error)"]) }
            return APIError(error)
        case let error as any HTTPResponseError:
            return httpError(status: error.status, message: (error as? HTTPError)?.body, request: request)
        case is CancellationError:
            return APIError(.serviceUnavailable, code: "unavailable", message: "the request was cancelled")
        default:
            logger.error("unexpected error", metadata: ["error": "\(error)", "http.path": "\(request.uri.path)"])
            return APIError(.internalServerError, code: "internal", message: "internal error")
        }
    }

    private static func httpError(status: HTTPResponse.Status, message: String?, request: Request) -> APIError {
        switch status {
        case .notFound:
            return .notFound("no route \(request.method) \(request.uri.path)")
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed here")
        case .contentTooLarge:
            return APIError(.contentTooLarge, code: "payload_too_large", message: message ?? "the request body is too large")
        default:
            let code = status.code < 500 ? "invalid_argument" : "internal"
            return APIError(status, code: code, message: message ?? status.reasonPhrase)
        }
    }
}
