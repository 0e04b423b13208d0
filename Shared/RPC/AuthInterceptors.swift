/// Rejects calls that do not carry the shared secret as `authorization: Bearer <token>`.
public struct BearerTokenServerInterceptor: ServerInterceptor {
    private let expected: [UInt8]

    /// Accepts only calls whose `authorization` metadata is exactly `Bearer <token>`.
    public init(token: String) {
        self.expected = Array("Bearer \(token)".utf8)
    }

    /// Passes the call on if it carries the token; otherwise throws UNAUTHENTICATED (token missing or wrong)
    /// and the handler never runs.
    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        guard let presented = context.metadata[Metadata.Keys.authorization] else {
            throw RPCError(code: .unauthenticated, message: "the call carries no authorization token")
        }
        guard Self.constantTimeEqual(Array(presented.utf8), expected) else {
            throw RPCError(code: .unauthenticated, message: "the authorization token is wrong")
        }
        try await next(context)
    }

    /// Compares without an early exit, so response timing does not reveal how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<min(a.count, b.count) {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}

/// Adds the shared secret to every call a client makes.
public struct BearerTokenClientInterceptor: ClientInterceptor {
    private let value: String

    /// Sends `authorization: Bearer <token>` with every call, replacing any value the call already carries.
    public init(token: String) {
        self.value = "Bearer \(token)"
    }

    /// Sets the `authorization` metadata, then passes the call on.
    public func intercept(context: ClientContext, next: @Sendable (ClientContext) async throws -> Void) async throws {
        var context = context
        context.metadata.set(Metadata.Keys.authorization, value)
        try await next(context)
    }
}
