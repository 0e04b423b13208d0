import Foundation
import ProcessTestSupport
import Testing

/// A client in C, written from Proto/PROTOCOL.md alone, against a real service process.
@Suite("Foreign C client")
struct ForeignClientTests {
    static let token = "foreign-client-token"

    static func compileClient() async throws -> URL {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("health_client-\(UUID().uuidString)")
        let root = Paths.packageRoot
        let generated = root.appendingPathComponent("Shared/CPMProto")
        let result = try await run(
            "cc",
            [
                "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Werror", "-Wno-missing-braces", "-o", output.path,
                root.appendingPathComponent("Tests/IntegrationTests/ForeignClient/health_client.c").path,
                generated.appendingPathComponent("pm/v1/rpc.pb-c.c").path,
                generated.appendingPathComponent("pm/v1/health.pb-c.c").path,
                "-I", generated.appendingPathComponent("include").path,
                "-lprotobuf-c",
            ])
        guard result.status == 0 else { throw ProcessError("cc failed: \(result.errors)") }
        return output
    }

    @Test("the C client gets SERVING from Health.Check and an error status for a wrong token and an unknown method")
    func cClientCalls() async throws {
        let client = try await Self.compileClient()
        defer { try? FileManager.default.removeItem(at: client) }
        let service = try ServiceProcess(executable: "ingest", environment: ["INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": Self.token])
        try await service.start()

        let ok = try await run(client.path, [service.host, "\(service.port)", Self.token, "/pm.v1.Health/Check"])
        #expect(ok.status == 0, "\(ok.output) \(ok.errors)")
        #expect(ok.output.contains("status_code=0"))
        #expect(ok.output.contains("serving_status=1"))

        let wrongToken = try await run(client.path, [service.host, "\(service.port)", "not-the-token", "/pm.v1.Health/Check"])
        #expect(wrongToken.status == 2)
        #expect(wrongToken.output.contains("status_code=16"))

        let unknown = try await run(client.path, [service.host, "\(service.port)", Self.token, "/pm.v1.Health/Nope"])
        #expect(unknown.status == 2)
        #expect(unknown.output.contains("status_code=12"))

        #expect(try await service.terminate() == 0)
    }
}
