import HTTPTypes
import Hummingbird

/// The browser's rules on every response: the dashboard's Content-Security-Policy (no inline script,
/// nothing from elsewhere, never framed), no MIME sniffing, no referrer.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = SecurityHeaders.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[SecurityHeaders.referrerPolicy] = "no-referrer"
        response.headers[SecurityHeaders.frameOptions] = "DENY"
        return response
    }
}

/// Built once: the middleware is generic, and these are added to every response.
private enum SecurityHeaders {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'"
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
}
