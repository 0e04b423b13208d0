import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PMRPC
import RPCTesting
import ServiceKit
import Testing

/// `GATEWAY_BENCHMARK_WITHOUT_AUTH`: what `make bench-gateway` uses to measure the cost of
/// authentication. It opens the gateway to requests marked `X-PM-Benchmark-Without-Auth`, so it is
/// refused where others could reach the gateway, and the mark opens nothing without it (the role matrix).
@Suite("Gateway benchmark switch")
struct BenchmarkSwitchTests {
    @Test(
        "refused unless the gateway listens on loopback without TLS, naming the variable",
        arguments: [
            ["GATEWAY_HTTP_HOST": "0.0.0.0"], ["GATEWAY_HTTP_HOST": "10.1.2.3"],
            ["GATEWAY_TLS_CERT": "/etc/pm/cert.pem", "GATEWAY_TLS_KEY": "/etc/pm/key.pem"],
        ])
    func refusedWhereReachable(environment: [String: String]) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try GatewayConfiguration(environment: Environment(environment.merging(["GATEWAY_BENCHMARK_WITHOUT_AUTH": "true"]) { $1 }))
        }
        #expect(error.variable == "GATEWAY_BENCHMARK_WITHOUT_AUTH")
        for host in ["127.0.0.1", "::1", "localhost"] {
            let configuration = try GatewayConfiguration(
                environment: Environment(["GATEWAY_BENCHMARK_WITHOUT_AUTH": "true", "GATEWAY_HTTP_HOST": host]))
            #expect(configuration.benchmarkWithoutAuthentication)
        }
    }

    @Test("with the switch, a marked request reaches its route without a key; an unmarked one still needs a key")
    func markedRequestsSkipTheCheck() async throws {
        let folder = try TemporaryFolder()
        let keys = try KeyStore(path: "\(folder.path)/gateway.sqlite")
        // Nothing listens on port 1: a request that reaches its route gets 503 from the absent service.
        let absent = RPCClient(configuration: .init(host: "127.0.0.1", port: 1))
        let clients = ServiceClients(ingest: absent, alerting: absent, scheduling: absent, detection: [absent])
        let configuration = try GatewayConfiguration(environment: Environment(["GATEWAY_BENCHMARK_WITHOUT_AUTH": "true"]))
        let router = GatewayBuilder.buildRouter(
            .init(clients: clients, keys: keys, configuration: configuration, logger: Logger(label: "gateway-test")))
        try await Application(router: router).test(.router) { client in
            let marked: HTTPFields = [HTTPField.Name("X-PM-Benchmark-Without-Auth")!: "1"]
            try await client.execute(uri: "/api/equipment", method: .get, headers: marked) { response in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/api/equipment", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }
}
