/// Wraps every call a server handles: authentication, logging, metrics. It sees the call's context and
/// its outcome (`next` returns, or throws the error that becomes the status), never the messages.
public protocol ServerInterceptor: Sendable {
    /// Calls `next` (the next interceptor, finally the handler), possibly with a changed context, or throws
    /// instead to end the call with that error's status. Errors thrown by the handler come out of `next`.
    func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws
}

extension Array where Element == any ServerInterceptor {
    /// The interceptors, first one outermost, around `handler`.
    func wrapping(
        _ handler: @escaping @Sendable (ServerContext) async throws -> Void
    ) -> @Sendable (ServerContext) async throws -> Void {
        reversed().reduce(handler) { next, interceptor in
            { context in try await interceptor.intercept(context: context, next: next) }
        }
    }
}
