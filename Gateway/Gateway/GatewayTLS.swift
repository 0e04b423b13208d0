import Foundation
import HummingbirdTLS
import NIOSSL
import ServiceKit

/// The certificate and private key the gateway serves HTTPS and WSS with: PEM files named by
/// `GATEWAY_TLS_CERT` and `GATEWAY_TLS_KEY`.
public struct GatewayTLS: Sendable {
    /// The certificate chain, the server's own certificate first.
    public var certificatePath: String
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// Reads both files into a server configuration. A file that cannot be read or parsed is a
    /// ``ConfigurationError`` naming its variable and path, so the gateway stops at start with that message.
    public func serverConfiguration() throws -> TLSConfiguration {
        let chain = try load(certificatePath, variable: "gateway.tls.cert", holding: "a PEM certificate chain") {
            try NIOSSLCertificate.fromPEMBytes($0)
        }
        let key = try load(keyPath, variable: "gateway.tls.key", holding: "a PEM private key") {
            try NIOSSLPrivateKey(bytes: $0, format: .pem)
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // Building a context is where a key that is not the certificate's is found; without this the
        // server would fail later with only "failedToLoadPrivateKey".
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(
                variable: Environment.variableName("gateway.tls.key"), value: keyPath,
                expected: "the private key of the certificate in \(Environment.variableName("gateway.tls.cert")) (\(error))")
        }
        return configuration
    }

    private func load<Value>(_ path: String, variable key: String, holding expected: String, _ parse: ([UInt8]) throws -> Value) throws
        -> Value
    {
        let variable = Environment.variableName(key)
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(
                variable: variable, value: path, expected: "a readable file holding \(expected) (\(error.localizedDescription))")
        }
        do {
            return try parse(Array(bytes))
        } catch {
            throw ConfigurationError(variable: variable, value: path, expected: "\(expected) (\(error))")
        }
    }
}
