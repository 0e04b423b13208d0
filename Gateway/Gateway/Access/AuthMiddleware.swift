import HTTPTypes
import Hummingbird
import ServiceKit

/// Authenticates every request to a non-public route with its API key (`Authorization: Bearer` or
/// `X-API-Key`) and checks the route's permission (``AccessPolicy``): 401 with `WWW-Authenticate`
/// without a valid key, 403 when the role does not allow it. The key never reaches a log or an error.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let keys: KeyStore
    let throttle: RequestThrottle
    let publicMetrics: Bool
    /// `GATEWAY_BENCHMARK_WITHOUT_AUTH`: requests with ``benchmarkBypassHeader`` skip the check, so that a
    /// benchmark compares keyed and unkeyed requests on one process, its connections and threads.
    let benchmarkBypass: Bool

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!
    static let benchmarkBypassHeader = HTTPField.Name("X-PM-Benchmark-Without-Auth")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // No route matched (the router sets the path only for a match): the 404 comes next.
        guard let path = context.endpointPath else { return try await next(request, context) }
        if benchmarkBypass, request.headers[Self.benchmarkBypassHeader] != nil { return try await next(request, context) }
        let requirement = AccessPolicy.requirement(request.method, path)
        if requirement == .none || (publicMetrics && request.method == .get && path == "/metrics") {
            // Public, but a valid key still says who asks (/health shows details to key holders).
            var context = context
            context.identity = try? authenticate(request)
            return try await next(request, context)
        }
        try throttle.checkFailures(of: context.clientAddress)
        let identity: Identity
        do {
            identity = try authenticate(request)
        } catch let error as APIError where error.status == .unauthorized {
            throttle.recordFailure(of: context.clientAddress)
            throw error
        }
        try throttle.admit(identity)
        switch requirement {
        case .none, .anyKey:
            break
        case .undeclared:
            throw APIError(.forbidden, code: "permission_denied", message: "no role may call \(request.method) \(path)")
        case .permission(let permission):
            guard identity.role.allows(permission) else {
                throw APIError(
                    .forbidden, code: "permission_denied",
                    message: "a \(identity.role.rawValue) key may not do this; it needs \(Role.minimum(for: permission).rawValue) or above")
            }
        }
        var context = context
        context.identity = identity
        return try await CallerActor.$name.withValue(identity.name) { try await next(request, context) }
    }

    private func authenticate(_ request: Request) throws -> Identity {
        // The first field of each name, without joining repeats: every request pays this.
        let presented =
            request.headers[fields: .authorization].first.flatMap { Self.bearerToken($0.value) }
            ?? request.headers[fields: Self.apiKeyHeader].first?.value
        guard let presented else { throw Self.unauthenticated("an API key is required (Authorization: Bearer <key>)") }
        guard let key = APIKey(presented: presented), let identity = try keys.identity(of: key, now: WallClock.nowMs()) else {
            throw Self.unauthenticated("the API key is not valid (unknown, revoked or expired)")
        }
        return identity
    }

    /// The token of `Bearer <token>` (the scheme in any case, spaces around the token ignored), by
    /// bytes: Foundation's lower-casing and trimming cost several percent of the gateway's CPU.
    static func bearerToken(_ value: String) -> String? {
        let bytes = value.utf8
        let scheme = "bearer ".utf8
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 })
        else { return nil }
        var token = bytes.dropFirst(scheme.count)
        while token.first == 0x20 { token = token.dropFirst() }
        while token.last == 0x20 { token = token.dropLast() }
        return token.isEmpty ? nil : String(token)
    }

    static func unauthenticated(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthenticated", message: message)
    }
}
