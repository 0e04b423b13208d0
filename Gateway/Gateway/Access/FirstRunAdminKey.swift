import Foundation
import Logging
import ServiceKit

/// Secure by default: a gateway whose key store has no usable admin key creates one, named `admin`,
/// and writes it to `GATEWAY_ADMIN_KEY_FILE` (mode 0600) for `make run` to print as a sign-in URL.
/// The key is never logged; the log says where it is.
enum FirstRunAdminKey {
    static func ensure(keys: KeyStore, file: String, logger: Logger) throws {
        let now = WallClock.nowMs()
        guard try !keys.hasUsableAdmin(now: now) else { return }
        let (key, _) = try keys.create(name: "admin", role: .admin, equipmentIDs: nil, expiresAtMs: nil, now: now)
        let url = URL(fileURLWithPath: file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Created with 0600 from the start: the key is never readable by others, not even briefly.
        guard FileManager.default.createFile(atPath: file, contents: Data((key.text + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw GatewayStartError("cannot write the admin key to \(file)") }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        logger.notice("created the first admin key", metadata: ["key.prefix": "\(key.prefix)", "key.file": "\(file)"])
    }
}

struct GatewayStartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
