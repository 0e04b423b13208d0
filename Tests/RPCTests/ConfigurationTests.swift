import PMProto
import PMRPC
import RPCTesting
import ServiceKit
import Testing

@Suite("Configuration and back-off")
struct ConfigurationTests {
    @Test("defaults when nothing is set")
    func defaults() throws {
        let configuration = try RPCServiceConfiguration(name: "ingest", defaultPort: 7101, environment: Environment([:]))
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 7101)
        #expect(configuration.server.maxFrameSize == 4 << 20)
        #expect(configuration.token == RPCServiceConfiguration.developmentToken)
        #expect(configuration.dataDirectory == "data")
        #expect(configuration.logLevel == .info)
        #expect(configuration.shutdownGrace == .seconds(30))
        #expect(configuration.metrics == nil)
    }

    @Test("variables are named after dotted keys and parsed once into typed values")
    func parsing() throws {
        let environment = Environment([
            "INGEST_RPC_HOST": "0.0.0.0", "INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": "t0k3n",
            "PM_RPC_MAX_FRAME_BYTES": "65536", "PM_LOG_LEVEL": "DEBUG", "PM_DATA_DIR": "/var/lib/pm",
            "INGEST_METRICS_HOST": "0.0.0.0", "INGEST_METRICS_PORT": "9464", "PM_SHUTDOWN_GRACE_SECONDS": "5",
        ])
        let configuration = try RPCServiceConfiguration(name: "ingest", defaultPort: 7101, environment: environment)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 0)
        #expect(configuration.server.maxFrameSize == 65536)
        #expect(configuration.token == "t0k3n")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.dataDirectory == "/var/lib/pm")
        #expect(configuration.shutdownGrace == .seconds(5))
        #expect(configuration.metrics == MetricsEndpoint.Configuration(host: "0.0.0.0", port: 9464))
        let ephemeral = try RPCServiceConfiguration(
            name: "ingest", defaultPort: 7101, environment: Environment(["INGEST_METRICS_PORT": "0"]))
        #expect(ephemeral.metrics == MetricsEndpoint.Configuration(host: "127.0.0.1", port: 0))
        #expect(try Environment(["X_FLAG": "off"]).bool("x.flag", default: true) == false)
        #expect(try Environment(["X_FLAG": ""]).bool("x.flag", default: true) == true)
    }

    @Test("a peer is found by its own variables, with the shared token and call timeout, and its client carries the token")
    func peer() async throws {
        let defaults = try PeerConfiguration(service: "alerting", defaultPort: 7103, environment: Environment([:]))
        #expect(defaults.address == ServiceAddress(host: "127.0.0.1", port: 7103))
        #expect(defaults.token == RPCServiceConfiguration.developmentToken)
        #expect(defaults.defaultTimeout == .seconds(30))
        let environment = Environment([
            "ALERTING_RPC_HOST": "10.0.0.5", "ALERTING_RPC_PORT": "9000", "PM_RPC_TOKEN": "s3cret", "PM_RPC_TIMEOUT_MS": "2500",
        ])
        let peer = try PeerConfiguration(service: "alerting", defaultPort: 7103, environment: environment)
        #expect(peer.address == ServiceAddress(host: "10.0.0.5", port: 9000))
        #expect(peer.token == "s3cret")
        #expect(peer.defaultTimeout == .milliseconds(2500))
        #expect(throws: ConfigurationError.self) {
            _ = try PeerConfiguration(service: "alerting", defaultPort: 7103, environment: Environment(["PM_RPC_TIMEOUT_MS": "0"]))
        }
        // A server that demands the token answers the peer's client.
        try await RPCTestServer.with(router: testRouter(), interceptors: [BearerTokenServerInterceptor(token: "s3cret")]) {
            server async throws in
            let local = Environment(["ALERTING_RPC_PORT": "\(server.port)", "PM_RPC_TOKEN": "s3cret"])
            let client = try PeerConfiguration(service: "alerting", defaultPort: 7103, environment: local).makeClient()
            #expect(try await client.unary(TestMethods.echo, Reading(equipmentID: 5)).equipmentID == 5)
            #expect(client.configuration.defaultTimeout == .seconds(30))
            await client.close()
        }
    }

    @Test(
        "a bad value names the variable and what was expected",
        arguments: [
            ("INGEST_RPC_PORT", "70000"), ("INGEST_RPC_PORT", "seven"), ("PM_RPC_MAX_FRAME_BYTES", "12"),
            ("PM_LOG_LEVEL", "loud"), ("INGEST_METRICS_PORT", "-1"),
            ("PM_SHUTDOWN_GRACE_SECONDS", "0"),
        ]
    )
    func badValues(variable: String, value: String) {
        do {
            _ = try RPCServiceConfiguration(name: "ingest", defaultPort: 7101, environment: Environment([variable: value]))
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix("\(variable)=\(value) is invalid: expected"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("back-off grows by its multiplier up to the maximum, within the jitter")
    func backoff() {
        let exact = Backoff(initial: .milliseconds(100), maximum: .seconds(5), multiplier: 2, jitter: 0)
        #expect(exact.delay(forAttempt: 0) == .milliseconds(100))
        #expect(exact.delay(forAttempt: 3) == .milliseconds(800))
        #expect(exact.delay(forAttempt: 20) == .seconds(5))
        let jittered = Backoff(initial: .seconds(1), maximum: .seconds(10), multiplier: 1.6, jitter: 0.2)
        for _ in 0..<100 {
            let delay = jittered.delay(forAttempt: 1)
            #expect(delay >= .milliseconds(1280) && delay <= .milliseconds(1920))
        }
    }
}
