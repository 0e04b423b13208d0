import Foundation
import Gateway
import Hummingbird
import Logging
import PMRPC
import ProcessTestSupport
import RPCTesting
import ServiceKit
import Testing

/// The OpenAPI document (Gateway/Gateway/Public/openapi.yaml) cannot drift from the router: every route
/// the gateway serves is documented and every documented operation is served. (The schemathesis run
/// over a live gateway checks the answers against the document: Tests/Tools/api_conformance.py.)
@Suite("OpenAPI document matches the router")
struct OpenAPIDocumentTests {
    /// Files, the viewer and the vendored libraries: not API operations.
    static let staticRoutes: Set<String> = [
        "GET /", "GET /docs", "GET /openapi.yaml", "GET /static/{name}", "GET /vendor/plotly.js", "GET /vendor/swagger-ui/{name}",
    ]

    static var documentPath: String {
        Paths.packageRoot.appendingPathComponent("Gateway/Gateway/Public/openapi.yaml").path
    }

    /// `METHOD /path` of every operation under `paths:` (two-space path keys, four-space method keys).
    static func documentedOperations() throws -> Set<String> {
        Set(try documentedRoles().keys)
    }

    /// Each operation's `x-required-role` (empty when it declares none).
    static func documentedRoles() throws -> [String: String] {
        let text = try String(contentsOfFile: documentPath, encoding: .utf8)
        var roles = [String: String]()
        var inPaths = false
        var path: String?
        var operation: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:") }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "),
                let method = ["get", "post", "put", "patch", "delete"].first(where: { line == "    \($0):" })
            {
                operation = "\(method.uppercased()) \(path)"
                roles[operation!] = ""
            } else if let operation, line.hasPrefix("      x-required-role: ") {
                roles[operation] = String(line.dropFirst("      x-required-role: ".count))
            }
        }
        return roles
    }

    @Test("every served route is documented, and every documented operation is served")
    func routesMatchDocument() throws {
        let unused = RPCClient(configuration: .init(host: "127.0.0.1", port: 1))
        let clients = ServiceClients(ingest: unused, alerting: unused, scheduling: unused, detection: [unused])
        let folder = try TemporaryFolder()
        let parts = GatewayBuilder.Parts(
            clients: clients, keys: try KeyStore(path: "\(folder.path)/gateway.sqlite"),
            configuration: try GatewayConfiguration(environment: Environment([:])), logger: Logger(label: "test"))
        let served = Set(
            GatewayBuilder.buildRouter(parts).routes.map { route in
                let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                return "\(route.method) /" + path.joined(separator: "/")
            }
        ).subtracting(Self.staticRoutes)
        let documented = try Self.documentedOperations()
        #expect(documented.count > 20, "the document's paths could not be read")
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }

    @Test("every operation declares the least role the gateway enforces for it (AccessPolicy)")
    func rolesMatchPolicy() throws {
        for (operation, role) in try Self.documentedRoles() {
            let expected =
                AccessPolicy.publicRoutes.contains(operation)
                ? "none"
                : AccessPolicy.anyKeyRoutes.contains(operation)
                    ? "any" : AccessPolicy.permissions[operation].map { Role.minimum(for: $0).rawValue }
            #expect(
                role == expected,
                "\(operation): the document says \(role.isEmpty ? "nothing" : role), the gateway \(expected ?? "refuses everyone")")
        }
    }
}
