import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import ProcessTestSupport
import RPCTesting
import Synchronization
import Testing

extension GatewaySystemTests {
    /// `GATEWAY_TLS_CERT` and `GATEWAY_TLS_KEY` over real processes: the gateway serves HTTPS and WSS on its
    /// one port, with a throwaway self-signed certificate made at test time.
    @Suite("Gateway over TLS", .serialized)
    struct GatewayTLSTests {
        /// A client configuration that trusts `certificate` (a PEM file) and nothing else.
        static func trusting(_ certificate: String) -> HTTPClient.Configuration {
            var configuration = HTTPClient.Configuration(tlsConfiguration: .makeClientConfiguration())
            configuration.tlsConfiguration?.trustRoots = .file(certificate)
            return configuration
        }

        static func get(_ url: String, key: String? = nil, with client: HTTPClient = .shared) async throws -> (status: Int, body: Data) {
            var request = HTTPClientRequest(url: url)
            if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
            let response = try await client.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), Data(buffer: try await response.body.collect(upTo: 16 * 1024 * 1024)))
        }

        /// Opens `/ws`, sends the key as the dashboard does, and returns the first message the gateway answers with.
        static func firstWebSocketMessage(url: String, key: String, configuration: HTTPClient.Configuration) async throws -> [String: Any] {
            let first = Mutex<String?>(nil)
            var logger = Logger(label: "wss-test")
            logger.logLevel = .error
            let auth = String(decoding: try JSONSerialization.data(withJSONObject: ["type": "auth", "key": key]), as: UTF8.self)
            // Bounded without a timer of ours: the gateway closes a socket that has not signed in within 10 s,
            // and sends a heartbeat every 15 s to one that has.
            try await WebSocketClient.connect(url: url, tlsConfiguration: configuration.tlsConfiguration, logger: logger) {
                inbound, outbound, _ in
                try await outbound.write(.text(auth))
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    first.withLock { $0 = text }
                    return
                }
            }
            let text = try #require(first.withLock { $0 }, "the WebSocket closed without a message")
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }

        @Test("REST and the WebSocket work over TLS for a client that trusts the certificate, and only for it")
        func httpsAndWSS() async throws {
            let folder = try TemporaryFolder()
            let certificate = try await SelfSignedCertificate.create(in: folder.path)
            let tls = ["GATEWAY_TLS_CERT": certificate.certificatePath, "GATEWAY_TLS_KEY": certificate.keyPath]
            try await SystemStack.with(gatewayEnvironment: tls) { stack in
                let address = try #require(stack.gateway.announced["https"], "the gateway announced \(stack.gateway.announced)")
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.trusting(certificate.certificatePath))
                do {
                    let health = try await Self.get("https://\(address)/health", with: client)
                    #expect(health.status == 200, "\(String(decoding: health.body, as: UTF8.self))")
                    let equipment = try await Self.get("https://\(address)/api/equipment", key: stack.adminKey, with: client)
                    #expect(equipment.status == 200, "\(String(decoding: equipment.body, as: UTF8.self))")
                    #expect((try JSONSerialization.jsonObject(with: equipment.body) as? [Any])?.isEmpty == false)
                    try await client.shutdown()
                } catch {
                    try? await client.shutdown()
                    throw error
                }

                // By name: the WebSocket client sends the host as SNI, which may not be an IP address.
                let port = try #require(address.split(separator: ":").last)
                let hello = try await Self.firstWebSocketMessage(
                    url: "wss://localhost:\(port)/ws", key: stack.adminKey, configuration: Self.trusting(certificate.certificatePath))
                #expect(hello["type"] as? String == "hello", "\(hello)")

                await #expect(throws: (any Error).self, "plain HTTP on the TLS port") {
                    try await Self.get("http://\(address)/health")
                }
                // The shared client trusts only the system's roots, which never signed this certificate.
                let untrusted = await #expect(throws: (any Error).self, "a client that does not trust the certificate") {
                    try await Self.get("https://\(address)/health")
                }
                #expect(String(describing: untrusted).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: untrusted))")
            }
        }

        @Test("a certificate file that cannot be read stops the gateway at start with a message naming it")
        func unreadableCertificateStopsTheGateway() async throws {
            let folder = try TemporaryFolder()
            let certificate = try await SelfSignedCertificate.create(in: folder.path)
            let absent = "\(folder.path)/absent.pem"
            let gateway = try ServiceProcess(
                executable: "gateway",
                environment: [
                    "GATEWAY_HTTP_PORT": "0", "PM_RPC_TOKEN": SystemStack.token, "GATEWAY_TLS_CERT": absent,
                    "GATEWAY_TLS_KEY": certificate.keyPath,
                ])
            await #expect(throws: ProcessError.self) { try await gateway.start() }
            #expect(try await gateway.terminate() == 1)
            #expect(gateway.stderrText().contains("GATEWAY_TLS_CERT=\(absent) is invalid"), "\(gateway.stderrText())")
        }
    }
}
