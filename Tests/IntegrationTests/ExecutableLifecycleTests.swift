import Foundation
import PMProto
import PMRPC
import PMServices
import ProcessTestSupport
import RPCTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Each executable, as a real process: starts, answers its health check, stops cleanly on SIGTERM.
@Suite("Service executables")
struct ExecutableLifecycleTests {
    static let token = "lifecycle-token"

    @Test("starts, reports SERVING, exits 0 on SIGTERM", arguments: ["ingest", "detection", "alerting", "scheduling"])
    func serviceLifecycle(name: String) async throws {
        let variable = name.uppercased() + "_RPC_PORT"
        let service = try ServiceProcess(executable: name, environment: [variable: "0", "PM_RPC_TOKEN": Self.token])
        try await service.start()
        let rpcClient = service.rpcClient(token: Self.token)
        let health = HealthClient(rpcClient)
        #expect(try await health.check().status == .serving)
        // Each service is named in the health check: it serves its contract's methods.
        let named = try? await health.check(HealthCheckRequest(service: "pm.v1.\(name.capitalized)Service")).status
        #expect(named == .serving)
        await rpcClient.close()
        #expect(try await service.terminate() == 0, "\(service.stderrText())")
    }

    @Test("a bad setting stops the service at start with a message naming the variable")
    func badConfiguration() async throws {
        let service = try ServiceProcess(executable: "ingest", environment: ["INGEST_RPC_PORT": "seventy"])
        await #expect(throws: ProcessError.self) { try await service.start(timeout: .seconds(10)) }
        #expect(service.stderrText().contains("INGEST_RPC_PORT=seventy is invalid"))
    }

    @Test("a second instance on the same data folder refuses to start, naming the lock")
    func secondInstanceRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("twice-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let environment = ["INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": Self.token, "PM_DATA_DIR": folder]
        let first = try ServiceProcess(executable: "ingest", environment: environment)
        try await first.start()
        let second = try ServiceProcess(executable: "ingest", environment: environment)
        await #expect(throws: ProcessError.self) { try await second.start() }
        #expect(second.stderrText().contains("ingest.sqlite.lock is locked"), "\(second.stderrText())")
        #expect(try await first.terminate() == 0)
        // Once the first has stopped, the files are free again.
        let third = try ServiceProcess(executable: "ingest", environment: environment)
        try await third.start()
        #expect(try await third.terminate() == 0)
    }

    @Test("the gateway reports each service's health over HTTP to a key holder, liveness to anyone")
    func gatewayHealth() async throws {
        let ingest = try ServiceProcess(executable: "ingest", environment: ["INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": Self.token])
        try await ingest.start()
        let folder = try TemporaryFolder()
        let gateway = try ServiceProcess(
            executable: "gateway",
            environment: [
                "GATEWAY_HTTP_PORT": "0", "PM_RPC_TOKEN": Self.token, "PM_DATA_DIR": folder.path,
                "INGEST_RPC_PORT": "\(ingest.port)", "DETECTION_RPC_PORT": "1",
                "ALERTING_RPC_PORT": "1", "SCHEDULING_RPC_PORT": "1",
            ])
        try await gateway.start()

        let url = URL(string: "http://\(gateway.address)/health")!
        let (anonymous, _) = try await URLSession.shared.data(from: url)
        #expect((try JSONSerialization.jsonObject(with: anonymous) as? [String: Any])?.keys.sorted() == ["status"])
        var request = URLRequest(url: url)
        let key = try String(contentsOfFile: "\(folder.path)/admin-key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let services = report?["services"] as? [String: String]
        #expect((response as? HTTPURLResponse)?.statusCode == 503)
        #expect(report?["status"] as? String == "degraded")
        #expect(services?["ingest"] == "serving")
        #expect(services?["detection"]?.hasPrefix("unreachable") == true)

        #expect(try await gateway.terminate() == 0, "\(gateway.stderrText())")
        #expect(try await ingest.terminate() == 0)
    }
}
