import Hummingbird

/// Cross-origin access for the origins `GATEWAY_CORS_ORIGINS` lists, by Hummingbird's CORSMiddleware;
/// a request from any other origin gets no CORS headers at all, so browsers keep it same-origin.
struct ListedOriginsCORS<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    let cors = CORSMiddleware<Context>(
        allowOrigin: .originBased, allowHeaders: [.authorization, .contentType, AuthMiddleware.apiKeyHeader],
        allowMethods: [.get, .post, .patch, .delete, .options])

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else { return try await next(request, context) }
        return try await cors.handle(request, context: context, next: next)
    }
}
