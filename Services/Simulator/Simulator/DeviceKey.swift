import Foundation

/// The gateway API key the simulator sends. It prints as its public prefix only (`pm_1a2b3c4d_…`), so
/// neither a log line nor an error message can carry the secret.
public struct DeviceKey: Sendable, CustomStringConvertible {
    /// The whole key: for the Authorization header, nothing else.
    let text: String

    /// The key in `text` (surrounding whitespace and a file's final newline trimmed), or nil when that
    /// is empty or not one token of visible ASCII, as a header value must be.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        self.text = trimmed
    }

    /// `pm_<prefix>_…`: the part of a key the gateway lists and logs too.
    public var description: String {
        let parts = text.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "pm", parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit) else {
            return "(a key not of the form pm_<prefix>_<secret>)"
        }
        return "pm_\(parts[1])_…"
    }
}
