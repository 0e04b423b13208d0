import PMMath
import ServiceKit

/// How times cross the public API: ISO 8601 UTC strings out, ISO 8601 or Unix milliseconds in.
enum Timestamps {
    static func string(_ ms: Int64) -> String { UTCTimestamp.string(ms: ms) }

    /// nil for 0, the contract's "none".
    static func optional(_ ms: Int64) -> String? { ms == 0 ? nil : UTCTimestamp.string(ms: ms) }

    /// An ISO 8601 time, or an integer of Unix milliseconds, within the range every service accepts.
    static func parse(_ text: String) -> Int64? {
        guard let ms = Int64(text) ?? UTCTimestamp.milliseconds(of: text), (0...RequestLimits.maxTimestampMs).contains(ms) else {
            return nil
        }
        return ms
    }
}
