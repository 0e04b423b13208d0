import Hummingbird
import ServiceKit

/// `/api/keys` (admin): create, list and revoke API keys; `GET /api/session`: the calling key itself
/// (the dashboard's sign-in check). A key's text appears once, in the answer that creates it.
struct KeyRoutes {
    let keys: KeyStore

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/session") { _, context in try session(context) }
        router.get("/api/keys") { _, _ in try list() }
        router.post("/api/keys") { request, _ in try await create(request) }
        router.delete("/api/keys/:prefix") { _, context in try revoke(try context.parameters.require("prefix")) }
    }

    private func session(_ context: GatewayRequestContext) throws -> Response {
        guard let identity = context.identity else { throw AuthMiddleware.unauthenticated("an API key is required") }
        return JSONWriter.document { $0.write(identity) }.response()
    }

    private func list() throws -> Response {
        let listed = try keys.list()
        return JSONWriter.document { json in
            json.array(listed) { json, key in
                json.object { json in
                    json.writeFields(of: key.identity)
                    json.field("created_at", time: key.createdAtMs)
                    json.field("revoked_at", optionalTime: key.revokedAtMs ?? 0)
                }
            }
        }.response()
    }

    private struct NewKey: Decodable {
        var name: String
        var role: String
        var equipmentIds: [Int64]?
        var expiresInDays: Int64?
    }

    private func create(_ request: Request) async throws -> Response {
        let body = try await RequestBody.decode(NewKey.self, from: request)
        guard let role = Role(rawValue: body.role) else {
            throw APIError.invalid("role", "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let days = body.expiresInDays, !(1...3650).contains(days) {
            throw APIError.invalid("expires_in_days", "expires_in_days must be 1 to 3,650")
        }
        let now = WallClock.nowMs()
        let (key, identity) = try keys.create(
            name: body.name, role: role, equipmentIDs: body.equipmentIds.map(Set.init),
            expiresAtMs: body.expiresInDays.map { now + $0 * 86_400_000 },
            now: now)
        return JSONWriter.document { json in
            json.object { json in
                json.writeFields(of: identity)
                json.field("key", key.text)
            }
        }.response(status: .created)
    }

    private func revoke(_ prefix: String) throws -> Response {
        guard try keys.revoke(prefix: prefix, now: WallClock.nowMs()) else {
            throw APIError.notFound("no usable key with prefix \(prefix)")
        }
        return Response(status: .noContent)
    }
}

extension JSONWriter {
    mutating func writeFields(of identity: Identity) {
        field("name", identity.name)
        field("role", identity.role.rawValue)
        field("prefix", identity.prefix)
        key("equipment_ids")
        if let ids = identity.equipmentIDs { array(ids.sorted()) { $0.integer($1) } } else { null() }
        field("expires_at", optionalTime: identity.expiresAtMs ?? 0)
    }

    mutating func write(_ identity: Identity) {
        object { $0.writeFields(of: identity) }
    }
}
