import Crypto

/// Rejects calls that do not carry the shared secret as `authorization: Bearer <token>`.
public struct BearerTokenServerInterceptor: ServerInterceptor {
    private let expected: SHA256Digest

    /// Accepts only calls whose `authorization` metadata is exactly `Bearer <token>`.
    public init(token: String) {
        self.expected = SHA256.hash(data: Array("Bearer \(token)".utf8))
    }

    /// Passes the call on if it carries the token; otherwise throws UNAUTHENTICATED (token missing or wrong)
    /// and the handler never runs.
    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        guard let presented = context.metadata[Metadata.Keys.authorization] else {
            throw RPCError(code: .unauthenticated, message: "the call carries no authorization token")
        }
        guard Self.matches(Array(presented.utf8), expected) else {
            throw RPCError(code: .unauthenticated, message: "the authorization token is wrong")
        }
        try await next(context)
    }

    /// Compares the SHA-256 digests of the presented value and the expected one: fixed-size values
    /// compared in constant time (swift-crypto's digest equality), so neither how much of a guess was
    /// right nor its length shows in the response time, and any difference in any byte refuses.
    static func matches(_ presented: [UInt8], _ expected: SHA256Digest) -> Bool {
        SHA256.hash(data: presented) == expected
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
