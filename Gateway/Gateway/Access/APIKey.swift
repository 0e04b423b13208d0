import Crypto
import Foundation

/// An API key: `pm_<prefix>_<secret>`, 8 hex characters anyone may see (lists, logs) and 32 random bytes
/// (256 bits) in base64url. Only its SHA-256 is stored: a random key of that size needs no slow hash.
public struct APIKey: Sendable, Equatable {
    public let text: String
    public let prefix: String

    /// A new random key.
    public static func generate() -> APIKey {
        var generator = SystemRandomNumberGenerator()
        let prefix = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return APIKey(text: "pm_\(prefix)_\(secret)", prefix: prefix)
    }

    /// A key as presented, if it has the shape of one.
    public init?(presented text: String) {
        let parts = text.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard text.utf8.count <= 100, parts.count == 3, parts[0] == "pm", parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit),
            !parts[2].isEmpty
        else { return nil }
        self.init(text: text, prefix: String(parts[1]))
    }

    private init(text: String, prefix: String) {
        self.text = text
        self.prefix = prefix
    }

    /// The stored form: SHA-256, hex.
    public var hash: String { Self.hash(text) }

    /// Hex by table: this runs on every request, and String(format:) costs microseconds per byte.
    static func hash(_ text: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(text.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
