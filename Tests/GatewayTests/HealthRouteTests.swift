import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Logging
import PMRPC
import RPCTesting
import ServiceKit
import Testing

/// The gateway's routes in-process (Hummingbird's router test client), over real RPC services run
/// in-process too: no gateway process, no mock.
@Suite("Gateway /health")
struct HealthRouteTests {
    /// A service application that serves only the health service, like a service still starting up.
    static func healthOnlyService(_ configuration: RPCServiceConfiguration) -> RPCServiceApplication {
        var logger = Logger(label: "gateway-test-service")
        logger.logLevel = .warning
        return RPCServiceApplication(configuration: configuration, services: [], logger: logger)
    }

    static func client(port: Int) -> RPCClient {
        RPCClient(
            configuration: .init(host: "127.0.0.1", port: port, connectTimeout: testConnectTimeout),
            interceptors: [BearerTokenClientInterceptor(token: RunningApplication.testToken)])
    }

    struct Report: Decodable {
        var status: String
        var services: [String: String]?
    }

    static func router(ingest: RPCClient, alerting: RPCClient, scheduling: RPCClient, detection: [RPCClient], keys: KeyStore) throws
        -> Router<GatewayRequestContext>
    {
        let clients = ServiceClients(ingest: ingest, alerting: alerting, scheduling: scheduling, detection: detection)
        let configuration = try GatewayConfiguration(environment: Environment([:]))
        return GatewayBuilder.buildRouter(
            .init(clients: clients, keys: keys, configuration: configuration, logger: Logger(label: "gateway-test")))
    }

    @Test(
        "to a key holder: 200 and ok when every service serves; 503 and degraded, naming the unreachable one, otherwise; to anyone else: liveness only"
    )
    func reportsEachService() async throws {
        let folder = try TemporaryFolder()
        let keys = try KeyStore(path: "\(folder.path)/gateway.sqlite")
        let (key, _) = try keys.create(name: "ops", role: .viewer, equipmentIDs: nil, expiresAtMs: nil, now: 1)
        let withKey: HTTPFields = [.authorization: "Bearer \(key.text)"]
        try await RunningApplication.with(service: "alerting", build: Self.healthOnlyService) { alerting in
            let serving = Self.client(port: alerting.port)
            let missing = Self.client(port: 1)  // nothing listens on port 1

            let healthy = Application(
                router: try Self.router(ingest: serving, alerting: serving, scheduling: serving, detection: [serving], keys: keys))
            try await healthy.test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    let report = try JSONDecoder().decode(Report.self, from: Data(buffer: response.body))
                    #expect(report.status == "ok" && report.services == nil)
                }
                try await client.execute(uri: "/health", method: .get, headers: withKey) { response in
                    #expect(response.status == .ok)
                    let report = try JSONDecoder().decode(Report.self, from: Data(buffer: response.body))
                    #expect(report.status == "ok")
                    #expect(
                        report.services == ["ingest": "serving", "detection": "serving", "alerting": "serving", "scheduling": "serving"])
                }
            }

            let degraded = Application(
                router: try Self.router(ingest: serving, alerting: serving, scheduling: serving, detection: [serving, missing], keys: keys))
            try await degraded.test(.router) { client in
                try await client.execute(uri: "/health", method: .get, headers: withKey) { response in
                    #expect(response.status == .serviceUnavailable)
                    let report = try JSONDecoder().decode(Report.self, from: Data(buffer: response.body))
                    #expect(report.status == "degraded")
                    #expect(report.services?["detection-0"] == "serving")
                    #expect(report.services?["detection-1"] == "unreachable: UNAVAILABLE")
                }
            }
            await serving.close()
            await missing.close()
        }
    }
}
