/// Wraps every call a client makes; it may add metadata (a token, a request id) before the call goes out.
/// For a server stream, `next` returns when the stream has been consumed.
public protocol ClientInterceptor: Sendable {
    /// Calls `next` (the next interceptor, finally the call itself), possibly with changed metadata; the
    /// call's errors come out of `next`. Throwing instead of calling `next` fails the call without sending it.
    func intercept(
        context: ClientContext,
        next: @Sendable (ClientContext) async throws -> Void
    ) async throws
}

/// What a client interceptor sees of a call.
public struct ClientContext: Sendable {
    /// The method's path, e.g. `/pm.v1.IngestService/RecordReadings`.
    public var method: String
    /// The request metadata the call will send; an interceptor may add to it before calling `next`.
    public var metadata: Metadata

    /// The context of a call to `method` (its path) carrying `metadata`; `RPCClient` makes one per call.
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
