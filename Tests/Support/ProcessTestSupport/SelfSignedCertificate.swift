import Foundation

/// A throwaway self-signed certificate for `localhost` and 127.0.0.1, valid for a day, made by `openssl`
/// for a test that serves TLS.
public struct SelfSignedCertificate: Sendable {
    /// The certificate, PEM: also what a client that should trust the server takes as its trust root.
    public let certificatePath: String
    /// Its private key, PEM, unencrypted.
    public let keyPath: String

    /// Writes `<name>.pem` and `<name>-key.pem` into `folder`.
    public static func create(in folder: String, name: String = "gateway") async throws -> SelfSignedCertificate {
        let certificate = SelfSignedCertificate(certificatePath: "\(folder)/\(name).pem", keyPath: "\(folder)/\(name)-key.pem")
        let result = try await run(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1",
                "-keyout", certificate.keyPath, "-out", certificate.certificatePath,
            ])
        guard result.status == 0 else { throw ProcessError("openssl could not make a certificate: \(result.errors)") }
        return certificate
    }
}
