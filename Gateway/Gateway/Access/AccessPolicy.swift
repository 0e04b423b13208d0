import HTTPTypes

/// Which permission each operation needs: one table, which the OpenAPI document mirrors
/// (`x-required-role`; a test compares the two, and a role matrix over the live gateway checks it).
/// A served route that is neither here nor public is refused to everyone, so a new endpoint without a
/// declared role fails closed.
public enum AccessPolicy {
    /// Served to anyone: the dashboard's files, the viewer, liveness.
    public static let publicRoutes: Set<String> = [
        "GET /", "GET /docs", "GET /openapi.yaml", "GET /static/{name}", "GET /vendor/plotly.js", "GET /vendor/swagger-ui/{name}",
        "GET /health",
    ]

    /// Needs a valid key, whatever its role.
    public static let anyKeyRoutes: Set<String> = ["GET /api/session"]

    public static let permissions: [String: Permission] = [
        "GET /metrics": .read,
        "GET /api/equipment": .read,
        "POST /api/equipment": .manage,
        "GET /api/equipment/{id}": .read,
        "PATCH /api/equipment/{id}": .manage,
        "GET /api/equipment/{id}/readings": .read,
        "GET /api/equipment/{id}/predictions": .read,
        "POST /api/sensor-data": .ingest,
        "POST /api/sensor-data/batch": .ingest,
        "GET /api/predictions": .read,
        "GET /api/alerts": .read,
        "GET /api/alerts/{id}": .read,
        "POST /api/alerts/{id}/acknowledge": .act,
        "POST /api/alerts/{id}/resolve": .act,
        "GET /api/silences": .read,
        "POST /api/silences": .act,
        "DELETE /api/silences/{id}": .act,
        "GET /api/maintenance": .read,
        "POST /api/maintenance": .act,
        "GET /api/maintenance/{id}": .read,
        "PATCH /api/maintenance/{id}": .act,
        "DELETE /api/maintenance/{id}": .act,
        "POST /api/maintenance/{id}/start": .act,
        "POST /api/maintenance/{id}/complete": .act,
        "POST /api/maintenance/{id}/cancel": .act,
        "GET /api/preventive-rules": .read,
        "POST /api/preventive-rules": .manage,
        "DELETE /api/preventive-rules/{id}": .manage,
        "GET /api/dashboard-stats": .read,
        "GET /api/keys": .manage,
        "POST /api/keys": .manage,
        "DELETE /api/keys/{prefix}": .manage,
    ]

    /// What a route needs, as the middleware asks for every request.
    enum Requirement: Equatable {
        case none
        case anyKey
        case permission(Permission)
        /// Served but declared nowhere: refused to everyone.
        case undeclared
    }

    /// The three tables above by path, then method: one lookup per request, without building a
    /// "METHOD path" string for it.
    private static let requirements: [String: [HTTPRequest.Method: Requirement]] = {
        var table: [String: [HTTPRequest.Method: Requirement]] = [:]
        func add(_ routes: some Sequence<String>, _ requirement: (String) -> Requirement) {
            for route in routes {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                table[parts[1], default: [:]][HTTPRequest.Method(parts[0])!] = requirement(route)
            }
        }
        add(publicRoutes) { _ in .none }
        add(anyKeyRoutes) { _ in .anyKey }
        add(permissions.keys) { .permission(permissions[$0]!) }
        return table
    }()

    static func requirement(_ method: HTTPRequest.Method, _ path: String) -> Requirement {
        requirements[path]?[method] ?? .undeclared
    }
}
