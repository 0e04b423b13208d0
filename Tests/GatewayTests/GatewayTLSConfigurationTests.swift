import Foundation
import Gateway
import ProcessTestSupport
import RPCTesting
import ServiceKit
import Testing

/// `GATEWAY_TLS_CERT` and `GATEWAY_TLS_KEY`: both or neither, and files that cannot be used stop the
/// gateway with a message naming the variable and the file. Serving over TLS: IntegrationTests' GatewayTLSTests.
@Suite("Gateway TLS configuration")
struct GatewayTLSConfigurationTests {
    @Test("without either variable the gateway serves plain HTTP")
    func neitherMeansPlainHTTP() throws {
        #expect(try GatewayConfiguration(environment: Environment([:])).tls == nil)
    }

    @Test("both variables give the two paths")
    func bothGiveThePaths() throws {
        let configuration = try GatewayConfiguration(
            environment: Environment(["GATEWAY_TLS_CERT": "/etc/pm/cert.pem", "GATEWAY_TLS_KEY": "/etc/pm/key.pem"]))
        #expect(configuration.tls?.certificatePath == "/etc/pm/cert.pem")
        #expect(configuration.tls?.keyPath == "/etc/pm/key.pem")
    }

    @Test(
        "only one of the two is an error naming the missing one",
        arguments: [("GATEWAY_TLS_CERT", "GATEWAY_TLS_KEY"), ("GATEWAY_TLS_KEY", "GATEWAY_TLS_CERT")])
    func onlyOneIsAnError(given: String, missing: String) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try GatewayConfiguration(environment: Environment([given: "/etc/pm/file.pem"]))
        }
        #expect(error.variable == missing)
        #expect(error.description.contains(given))
    }

    @Test("a generated certificate and key load")
    func validFilesLoad() async throws {
        let folder = try TemporaryFolder()
        let certificate = try await SelfSignedCertificate.create(in: folder.path)
        let tls = GatewayTLS(certificatePath: certificate.certificatePath, keyPath: certificate.keyPath)
        let configuration = try tls.serverConfiguration()
        #expect(configuration.certificateChain.count == 1)
        #expect(configuration.privateKey != nil)
    }

    enum Broken: String, CaseIterable, Sendable {
        case missingCertificate, certificateNotPEM, keyNotPEM, keyIsTheCertificate, keyOfAnotherCertificate
    }

    @Test(
        "a file that cannot be read or parsed, or a key that is not the certificate's, is an error naming its variable and path",
        arguments: Broken.allCases)
    func brokenFiles(_ broken: Broken) async throws {
        let folder = try TemporaryFolder()
        let valid = try await SelfSignedCertificate.create(in: folder.path)
        let other = try await SelfSignedCertificate.create(in: folder.path, name: "other")
        let garbage = "\(folder.path)/garbage.pem"
        try "not a PEM file\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let (certificate, key, variable, path): (String, String, String, String) =
            switch broken {
            case .missingCertificate: ("\(folder.path)/absent.pem", valid.keyPath, "GATEWAY_TLS_CERT", "\(folder.path)/absent.pem")
            case .certificateNotPEM: (garbage, valid.keyPath, "GATEWAY_TLS_CERT", garbage)
            case .keyNotPEM: (valid.certificatePath, garbage, "GATEWAY_TLS_KEY", garbage)
            case .keyIsTheCertificate: (valid.certificatePath, valid.certificatePath, "GATEWAY_TLS_KEY", valid.certificatePath)
            case .keyOfAnotherCertificate: (valid.certificatePath, other.keyPath, "GATEWAY_TLS_KEY", other.keyPath)
            }
        let error = try #require(throws: ConfigurationError.self) {
            try GatewayTLS(certificatePath: certificate, keyPath: key).serverConfiguration()
        }
        #expect(error.variable == variable)
        #expect(error.value == path)
    }
}
