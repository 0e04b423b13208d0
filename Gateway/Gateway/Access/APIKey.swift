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

    /// A key as presented, if it has the shape of one (checked by bytes: every request pays this).
    public init?(presented text: String) {
        let bytes = Array(text.utf8)
        // "pm_" + 8 hex digits + "_" + a secret.
        guard bytes.count > 12, bytes.count <= 100, bytes[0] == 0x70, bytes[1] == 0x6D, bytes[2] == 0x5F, bytes[11] == 0x5F,
            bytes[3..<11].allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) })
        else { return nil }
        self.init(text: text, prefix: String(decoding: bytes[3..<11], as: UTF8.self))
    }

    private init(text: String, prefix: String) {
        self.text = text
        self.prefix = prefix
    }

    /// The stored form: SHA-256, hex.
    public var hash: String { Self.hex(digest) }

    /// The key's SHA-256: what the gateway's key cache is keyed by (hashing a digest is cheaper than its hex).
    var digest: SHA256Digest {
        // Hashed from the string's own bytes: a Data copy per request is measurable.
        var hasher = SHA256()
        var text = text
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }

    /// Hex by table: String(format:) costs microseconds per byte.
    static func hex(_ digest: SHA256Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
