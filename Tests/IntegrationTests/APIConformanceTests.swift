import Foundation
import PMProto
import PMServices
import ProcessTestSupport
import Testing

extension GatewaySystemTests {
    /// schemathesis (Tests/Tools/api_conformance.py) against the live gateway over real processes: every
    /// operation of the OpenAPI document with generated valid and invalid input; no server error, every
    /// answer in the documented shape with a documented status.
    @Suite("Gateway conforms to its OpenAPI document", .serialized)
    struct APIConformanceTests {
        @Test("schemathesis over every operation: 0 server errors, 0 responses that break the schema")
        func schemathesis() async throws {
            // schemathesis also calls without the key (and may revoke keys): neither its 401s nor its pace must
            // turn into the throttle's 429s, which would leave operations barely exercised.
            let unthrottled = ["GATEWAY_AUTH_MAX_FAILURES_PER_MINUTE": "1000000", "GATEWAY_RATE_LIMIT_ADMIN": "1000000"]
            try await SystemStack.with(gatewayEnvironment: unthrottled) { stack in
                // Alerts to find, acknowledge and resolve (a fresh system has none).
                let alerting = AlertingServiceClient(stack.alerting.rpcClient(token: SystemStack.token))
                for machine in 1...3 {
                    _ = try await alerting.raiseAlert(
                        .init(
                            eventID: "conformance-\(machine)", equipmentID: Int64(machine), severity: .warning, title: "Vibration rising",
                            kind: "anomaly:vibration"))
                }
                let spec = Paths.packageRoot.appendingPathComponent("Gateway/Gateway/Public/openapi.yaml").path
                let result = try await run(
                    try Paths.testPython(),
                    [Paths.tool("api_conformance.py"), "--base-url", stack.baseURL, "--spec", spec, "--key", stack.adminKey])
                #expect(result.status == 0, "\(result.output.suffix(6000))\n\(result.errors.suffix(3000))")
                print(result.output.split(separator: "\n").suffix(15).joined(separator: "\n"))
                // The gateway is still serving after the run (liveness: schemathesis may have revoked keys,
                // the one it was given included, through DELETE /api/keys/{prefix}).
                #expect(try await stack.request(.GET, "/health", as: .none).status == 200)
            }
        }
    }
}
