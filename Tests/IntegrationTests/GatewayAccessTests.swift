import Foundation
import GRDB
import ProcessTestSupport
import Testing

extension GatewaySystemTests {
    /// Access control over real processes. The role matrix is generated from the OpenAPI document: every
    /// operation, with every role, no key, a revoked key and an expired key, gets 2xx-or-4xx-other-than-
    /// 401/403 exactly when its declared role allows it, so a new endpoint without a declared role (or with
    /// a wrong one) fails here instead of shipping open.
    @Suite("Gateway access control", .serialized)
    struct GatewayAccessTests {
        static let roleRank = ["viewer": 1, "operator": 2, "admin": 3]

        /// Whether a key of `role` may call an operation that declares `required`.
        static func allowed(_ role: String, _ required: String) -> Bool {
            switch (role, required) {
            case (_, "none"), (_, "any"): true
            case ("device", "device"), ("admin", "device"): true
            case ("device", _), (_, "device"): false
            default: (roleRank[role] ?? 0) >= (roleRank[required] ?? 99)
            }
        }

        static func createKey(_ stack: SystemStack, role: String, name: String, equipment: [Int]? = nil) async throws -> (
            key: String, prefix: String
        ) {
            var body: [String: Any] = ["name": name, "role": role]
            if let equipment { body["equipment_ids"] = equipment }
            let created = try await stack.request(.POST, "/api/keys", json: body)
            try #require(created.status == 201, "\(created.text)")
            return (try #require(created.object["key"] as? String), try #require(created.object["prefix"] as? String))
        }

        @Test("role matrix from the OpenAPI document: no key, revoked, expired, and each role")
        func roleMatrix() async throws {
            // Hundreds of deliberate 401s from one address: the failed-attempt limit must not answer them.
            try await SystemStack.with(gatewayEnvironment: ["PM_LOG_LEVEL": "debug", "GATEWAY_AUTH_MAX_FAILURES_PER_MINUTE": "100000"]) {
                stack in
                var keys = [String: String]()
                for role in ["viewer", "operator", "admin", "device"] {
                    keys[role] = try await Self.createKey(stack, role: role, name: "matrix-\(role)").key
                }
                let revoked = try await Self.createKey(stack, role: "admin", name: "matrix-revoked")
                #expect(try await stack.request(.DELETE, "/api/keys/\(revoked.prefix)").status == 204)
                let expired = try await Self.createKey(stack, role: "admin", name: "matrix-expired")
                let store = try DatabaseQueue(path: "\(stack.folder.path)/gateway/gateway.sqlite")
                try await store.write { db in
                    try db.execute(sql: "UPDATE keys SET expires_at_ms = 1 WHERE prefix = ?", arguments: [expired.prefix])
                }

                let operations = try OpenAPIOperations.load()
                #expect(operations.count > 30)
                for operation in operations where operation.path.hasPrefix("/api") || operation.path == "/metrics" {
                    let path = operation.path.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(
                        of: "{prefix}", with: "00000000")
                    let body = ["POST", "PATCH"].contains(operation.method) ? Data("{}".utf8) : nil
                    func call(_ credential: SystemStack.Credential, headers: [(String, String)] = []) async throws -> Int {
                        try await stack.request(
                            .init(rawValue: operation.method), path, body: body, contentType: "application/json", headers: headers,
                            as: credential
                        ).status
                    }
                    // The benchmark's bypass header opens nothing unless the gateway was started for a benchmark.
                    let refused: [(String, SystemStack.Credential, [(String, String)])] = [
                        ("no key", .none, []), ("no key but the benchmark header", .none, [("X-PM-Benchmark-Without-Auth", "1")]),
                        ("revoked", .key(revoked.key), []), ("expired", .key(expired.key), []),
                    ]
                    for (name, credential, headers) in refused {
                        let status = try await call(credential, headers: headers)
                        #expect(status == 401, "\(operation.method) \(operation.path) with \(name): \(status)")
                    }
                    for (role, key) in keys {
                        let status = try await call(.key(key))
                        if Self.allowed(role, operation.role) {
                            #expect(
                                status != 401 && status != 403,
                                "\(operation.method) \(operation.path) as \(role) (needs \(operation.role)): \(status)")
                        } else {
                            #expect(status == 403, "\(operation.method) \(operation.path) as \(role) (needs \(operation.role)): \(status)")
                        }
                    }
                }
                // Public: the dashboard, the docs, liveness.
                for path in ["/", "/docs", "/openapi.yaml", "/health"] {
                    #expect(try await stack.request(.GET, path, as: .none).status == 200, "\(path)")
                }
                // No key ever reaches the log.
                let log = stack.gateway.stderrText()
                for key in Array(keys.values) + [revoked.key, expired.key, stack.adminKey] { #expect(!log.contains(key)) }
            }
        }

        @Test("a device key writes only its machines; revocation takes effect within seconds; keys are stored hashed")
        func deviceKeysRevocationAndStorage() async throws {
            try await SystemStack.with { stack in
                let device = try await Self.createKey(stack, role: "device", name: "plant-b-gateway", equipment: [2])
                let reading: (Int) -> [String: Any] = { machine in
                    [
                        "equipment_id": machine, "temperature": 70, "vibration": 2.5, "pressure": 100, "power_consumption": 80,
                        "efficiency": 92,
                    ]
                }
                #expect(try await stack.request(.POST, "/api/sensor-data", json: reading(2), as: .key(device.key)).status == 200)
                let other = try await stack.request(.POST, "/api/sensor-data", json: reading(1), as: .key(device.key))
                #expect(other.status == 403 && other.error.code == "permission_denied", "\(other.text)")
                let batch = try await stack.request(.POST, "/api/sensor-data/batch", json: [reading(2), reading(3)], as: .key(device.key))
                #expect(batch.status == 403, "\(batch.text)")
                #expect(try await stack.request(.GET, "/api/equipment", as: .key(device.key)).status == 403)

                let missing = try await stack.request(.GET, "/api/equipment", as: .none)
                #expect(missing.status == 401 && missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
                #expect(try await stack.request(.GET, "/api/equipment", headers: [("X-API-Key", stack.adminKey)], as: .none).status == 200)

                // Revoked through the API: refused within seconds, without a restart.
                let viewer = try await Self.createKey(stack, role: "viewer", name: "wallboard")
                #expect(try await stack.request(.GET, "/api/alerts", as: .key(viewer.key)).status == 200)
                #expect(try await stack.request(.DELETE, "/api/keys/\(viewer.prefix)").status == 204)
                try await stack.eventually("the revoked key refused", limit: .seconds(30)) {
                    try await stack.request(.GET, "/api/alerts", as: .key(viewer.key)).status == 401
                }

                // Stored hashed: no key text anywhere in the store; the first admin key's file is private.
                let store = try DatabaseQueue(path: "\(stack.folder.path)/gateway/gateway.sqlite")
                let rows = try await store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM keys") }
                let stored = rows.map { row in row.columnNames.map { "\(row[$0] ?? "")" }.joined(separator: " ") }.joined(separator: "\n")
                for key in [device.key, viewer.key, stack.adminKey] {
                    #expect(!stored.contains(key))
                    // The secret is everything after the prefix: base64url, which may itself hold "_".
                    #expect(!stored.contains(String(key.split(separator: "_", maxSplits: 2).last ?? "")))
                }
                let attributes = try FileManager.default.attributesOfItem(atPath: "\(stack.folder.path)/gateway/admin-key")
                #expect((attributes[.posixPermissions] as? Int) == 0o600)
            }
        }

        @Test("gateway keys create, list and revoke work beside the running gateway")
        func keysCommand() async throws {
            try await SystemStack.with { stack in
                let gateway = Paths.binaries.appendingPathComponent("gateway").path
                let environment = ["PM_DATA_DIR": "\(stack.folder.path)/gateway"]
                let created = try await runWith(
                    environment, gateway, ["keys", "create", "--name", "line-3 tablet", "--role", "operator", "--expires-in", "30d"])
                try #require(created.status == 0, "\(created.errors)")
                let key = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
                let prefix = String(key.split(separator: "_")[1])
                #expect(try await stack.request(.POST, "/api/alerts/999/acknowledge", as: .key(key)).status == 404)
                let listed = try await runWith(environment, gateway, ["keys", "list"])
                #expect(listed.output.contains("\(prefix)\toperator\tline-3 tablet"), "\(listed.output)")
                #expect(!listed.output.contains(key))
                let refused = try await runWith(environment, gateway, ["keys", "create", "--name", "x", "--role", "root"])
                #expect(refused.status != 0 && refused.errors.contains("--role"))
                let revoked = try await runWith(environment, gateway, ["keys", "revoke", prefix])
                #expect(revoked.status == 0, "\(revoked.errors)")
                try await stack.eventually("the key revoked by the command refused", limit: .seconds(30)) {
                    try await stack.request(.GET, "/api/alerts", as: .key(key)).status == 401
                }
            }
        }

        /// Runs an executable with extra environment variables.
        func runWith(_ environment: [String: String], _ executable: String, _ arguments: [String]) async throws -> (
            status: Int32, output: String, errors: String
        ) {
            try await run("/usr/bin/env", environment.map { "\($0.key)=\($0.value)" } + [executable] + arguments)
        }

        @Test("the WebSocket refuses a missing key and closes when the key is revoked (1008)")
        func webSocketKeys() async throws {
            try await SystemStack.with { stack in
                let url = stack.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws"
                let anonymous = LiveSocket(url: url, key: nil)
                defer { anonymous.close() }
                anonymous.send(["type": "subscribe", "all": true])
                try await stack.eventually("the anonymous socket closed") { anonymous.closedWith != nil }
                #expect(anonymous.closedWith == 1008)
                #expect(anonymous.messages(ofType: "hello").isEmpty)

                let viewer = try await Self.createKey(stack, role: "viewer", name: "wallboard")
                let socket = LiveSocket(url: url, key: viewer.key)
                defer { socket.close() }
                _ = try await socket.waitFor("hello") { $0["type"] as? String == "hello" }
                #expect(try await stack.request(.DELETE, "/api/keys/\(viewer.prefix)").status == 204)
                try await stack.eventually("the socket closed after revocation", limit: .seconds(60)) { socket.closedWith != nil }
                #expect(socket.closedWith == 1008)
            }
        }

        @Test("a key past its rate gets 429 with Retry-After, then service again; an address that keeps failing is slowed down")
        func rateLimits() async throws {
            try await SystemStack.with(gatewayEnvironment: ["GATEWAY_RATE_LIMIT_VIEWER": "5", "GATEWAY_AUTH_MAX_FAILURES_PER_MINUTE": "5"])
            { stack in
                let viewer = try await Self.createKey(stack, role: "viewer", name: "runaway script")
                // At once, to a quick route: one after another, a slow machine could stay under 5 a second.
                let results = try await withThrowingTaskGroup(of: SystemStack.HTTPResult.self) { group in
                    for _ in 0..<60 { group.addTask { try await stack.request(.GET, "/api/equipment", as: .key(viewer.key)) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let refused = try #require(results.first { $0.status == 429 }, "60 requests at once never met the limit of 5/s (burst 10)")
                #expect(refused.error.code == "rate_limited")
                #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1)
                // Other keys are not affected; the runaway one recovers once its bucket refills.
                #expect(try await stack.request(.GET, "/api/dashboard-stats").status == 200)
                try await stack.eventually("the key served again", limit: .seconds(120), interval: .seconds(1)) {
                    try await stack.request(.GET, "/api/equipment", as: .key(viewer.key)).status == 200
                }
                let metrics = try await stack.request(.GET, "/metrics").text
                #expect(metrics.contains(#"pm_gateway_rate_limited_total{role="viewer"}"#))

                // Guessing keys: after 5 failures in a minute this address gets 429, even with a valid key.
                for _ in 0..<5 {
                    #expect(try await stack.request(.GET, "/api/equipment", as: .key("pm_00000000_guess")).status == 401)
                }
                let slowed = try await stack.request(.GET, "/api/equipment", as: .key("pm_00000000_guess"))
                #expect(slowed.status == 429 && Int(slowed.header("Retry-After") ?? "") ?? 0 >= 1, "\(slowed.status) \(slowed.text)")
                #expect(try await stack.request(.GET, "/api/equipment").status == 429)
                #expect(try await stack.request(.GET, "/health", as: .none).status == 200)
            }
        }

        @Test("browser rules: CSP and friends on every answer; CORS only for listed origins")
        func browserRules() async throws {
            try await SystemStack.with(gatewayEnvironment: ["GATEWAY_CORS_ORIGINS": "https://ops.example"]) { stack in
                let page = try await stack.request(.GET, "/", as: .none)
                #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
                #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
                #expect(page.header("X-Content-Type-Options") == "nosniff")
                #expect(page.header("Referrer-Policy") == "no-referrer")
                let foreign = try await stack.request(.GET, "/api/equipment", headers: [("Origin", "https://evil.example")])
                #expect(foreign.header("Access-Control-Allow-Origin") == nil)
                let listed = try await stack.request(.GET, "/api/equipment", headers: [("Origin", "https://ops.example")])
                #expect(listed.header("Access-Control-Allow-Origin") == "https://ops.example")
            }
        }
    }
}

/// The operations of Gateway/Gateway/Public/openapi.yaml with their `x-required-role`.
enum OpenAPIOperations {
    struct Operation {
        let method: String
        let path: String
        let role: String
    }

    static func load() throws -> [Operation] {
        let text = try String(contentsOf: Paths.packageRoot.appendingPathComponent("Gateway/Gateway/Public/openapi.yaml"), encoding: .utf8)
        var operations = [Operation]()
        var inPaths = false
        var path: String?
        var method: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:") }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                method = String(line.dropFirst(4).dropLast()).uppercased()
            } else if let path, let method, line.hasPrefix("      x-required-role: ") {
                operations.append(Operation(method: method, path: path, role: String(line.dropFirst("      x-required-role: ".count))))
            }
        }
        return operations
    }
}
