import PMRPC

/// Who is behind the request being served: ``AuthMiddleware`` binds the key's name for the rest of the
/// request, and every internal call made meanwhile carries it as `pm-actor` metadata
/// (``ActorClientInterceptor``), which the services record as who acknowledged, resolved, silenced,
/// created, started or completed something. It never comes from the request itself.
enum CallerActor {
    @TaskLocal static var name: String?
}

/// Sends ``CallerActor/name`` as `pm-actor` with each call made while serving an authenticated request.
struct ActorClientInterceptor: ClientInterceptor {
    func intercept(context: ClientContext, next: @Sendable (ClientContext) async throws -> Void) async throws {
        guard let name = CallerActor.name else { return try await next(context) }
        var context = context
        context.metadata.set(Metadata.Keys.actor, name)
        try await next(context)
    }
}
