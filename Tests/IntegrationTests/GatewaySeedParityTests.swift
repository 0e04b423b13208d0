import Foundation
import ProcessTestSupport
import Testing

extension GatewaySystemTests {
    /// The seed's clients keep working: Tests/Tools/gateway_seed_parity.py runs the seed's reference server
    /// (../shared/seedref) beside our gateway, sends both the same calls, and compares statuses and the
    /// shape of every answer (each field the seed returns exists in ours, with a compatible JSON type).
    @Suite("Gateway API parity with the seed's reference server", .serialized)
    struct GatewaySeedParityTests {
        @Test("same paths, same field names and types as the seed")
        func sameShapes() async throws {
            try await SystemStack.with { stack in
                let workdir = FileManager.default.temporaryDirectory.appendingPathComponent("seed-parity-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: workdir) }
                let result = try await run(
                    try Paths.testPython(),
                    [
                        Paths.tool("gateway_seed_parity.py"), "--gateway-url", stack.baseURL, "--workdir", workdir.path, "--gateway-key",
                        stack.adminKey,
                    ])
                #expect(result.status == 0, "\(result.output)\n\(result.errors)")
                let summary = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
                #expect((summary?["compared"] as? Int ?? 0) >= 10, "\(result.output)")
            }
        }
    }
}
