/// The checks every service's request validation shares, so that limits mean the same everywhere.
public enum RequestLimits {
    /// `value` has at most `maxBytes` bytes of UTF-8 (bytes, not characters: that is what responses and
    /// frames carry), and is not blank when `required`.
    public static func text(_ value: String, field: String, maxBytes: Int, required: Bool = true) throws(ServiceError) {
        if required, value.allSatisfy(\.isWhitespace) { throw .invalidArgument(field: field, reason: "must not be empty") }
        guard value.utf8.count <= maxBytes else { throw .invalidArgument(field: field, reason: "at most \(maxBytes) bytes") }
    }

    /// A page size: 0 means `defaultSize`; more than `maximum` is refused.
    public static func pageSize(_ value: UInt32, field: String = "limit", default defaultSize: Int, maximum: Int) throws(ServiceError)
        -> Int
    {
        guard value <= maximum else { throw .invalidArgument(field: field, reason: "at most \(maximum)") }
        return value == 0 ? defaultSize : Int(value)
    }

    /// The last millisecond of year 9999: a timestamp a request names must be in 0...this, which keeps
    /// every computation on it (minutes, buckets, days added) far from overflowing.
    public static let maxTimestampMs: Int64 = 253_402_300_799_999

    /// `value` is a Unix time in milliseconds in 0...``maxTimestampMs``.
    public static func timestamp(_ value: Int64, field: String) throws(ServiceError) {
        guard (0...maxTimestampMs).contains(value) else {
            throw .invalidArgument(field: field, reason: "must be in 0...\(maxTimestampMs) (year 9999)")
        }
    }
}
