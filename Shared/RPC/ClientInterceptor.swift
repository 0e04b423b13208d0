/// Wraps every call a client makes; it may add metadata (a token, a request id) before the call goes out.
/// For a server stream, `next` returns when the stream has been consumed.
public protocol ClientInterceptor: Sendable {
    func intercept(
        context: ClientContext,
        next: @Sendable (ClientContext) async throws -> Void
    ) async throws
}

/// What a client interceptor sees of a call.
public struct ClientContext: Sendable {
    public var method: String
    public var metadata: Metadata

    public init(method: String, metadata: Metadata) {
        self.method = method
        self.metadata = metadata
    }
}

extension Array where Element == any ClientInterceptor {
    func wrapping(
        _ call: @escaping @Sendable (ClientContext) async throws -> Void
    ) -> @Sendable (ClientContext) async throws -> Void {
        reversed().reduce(call) { next, interceptor in
            { context in try await interceptor.intercept(context: context, next: next) }
        }
    }
}
