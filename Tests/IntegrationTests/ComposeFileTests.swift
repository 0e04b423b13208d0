import Foundation
import ProcessTestSupport
import Testing

/// No Docker engine runs on our machines, so docker-compose.yml is checked against the Compose
/// Specification's schema (../shared/specs/compose-spec.json) with the venv's jsonschema.
@Suite("docker-compose.yml")
struct ComposeFileTests {
    static let checker = Paths.tool("validate_compose.py")
    static let schema = Paths.packageRoot.appendingPathComponent("../shared/specs/compose-spec.json").standardized.path

    static func validate(_ file: String) async throws -> (status: Int32, output: String, errors: String) {
        try await run(try Paths.testPython(), [checker, file, schema])
    }

    @Test("the compose file is valid against the Compose Specification")
    func composeFileIsValid() async throws {
        let result = try await Self.validate(Paths.packageRoot.appendingPathComponent("docker-compose.yml").path)
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("valid"))
    }

    @Test("the checker rejects an invalid compose file")
    func checkerCatchesErrors() async throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: broken) }
        try "services:\n  ingest:\n    image: pm\n    restart: sometimes\n    ports: 8080\n".write(
            to: broken, atomically: true, encoding: .utf8)
        let result = try await Self.validate(broken.path)
        #expect(result.status == 1)
        #expect(result.output.contains("services/ingest"))
    }

    @Test("the checker rejects a service that would stay down after a crash")
    func checkerRequiresARestartPolicy() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "services:\n  ingest:\n    image: pm\n  alerting:\n    image: pm\n    restart: unless-stopped\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try await Self.validate(file.path)
        #expect(result.status == 1)
        #expect(result.output.contains("services/ingest/restart"))
        #expect(!result.output.contains("services/alerting"))
    }
}
