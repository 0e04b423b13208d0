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
}
