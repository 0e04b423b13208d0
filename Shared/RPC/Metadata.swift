/// Ordered key-value pairs sent with a call (request metadata) or with its status (trailing metadata).
/// Keys are compared case-insensitively and stored lower-cased.
public struct Metadata: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The pairs in the order they were added, keys lower-cased; a key may appear more than once.
    public private(set) var entries: [(key: String, value: String)] = []

    /// Empty metadata.
    public init() {}

    /// Metadata from a literal such as `["x-request-id": "r-1"]`, in the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { add(key, value) }
    }

    /// Appends a value for `key`, keeping the values it already has.
    public mutating func add(_ key: String, _ value: String) {
        entries.append((Self.normalized(key), value))
    }

    /// Replaces every value of `key`.
    public mutating func set(_ key: String, _ value: String) {
        let key = Self.normalized(key)
        entries.removeAll { $0.key == key }
        entries.append((key, value))
    }

    /// The first value of `key`.
    public subscript(key: String) -> String? {
        let key = Self.normalized(key)
        return entries.first { $0.key == key }?.value
    }

    /// Whether there are no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// Keys are lower-case on the wire already; only copy the ones that are not.
    private static func normalized(_ key: String) -> String {
        key.utf8.contains(where: { (65...90).contains($0) }) ? key.lowercased() : key
    }

    /// Iterates the entries in order, as `(key, value)` pairs.
    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> {
        entries.makeIterator()
    }

    /// Equal when both hold the same entries in the same order.
    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0 == $1 }
    }

    /// Hashes the entries in order, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for (key, value) in entries {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}

extension Metadata {
    /// Well-known keys.
    public enum Keys {
        /// `Bearer <token>`: the shared secret every internal call carries.
        public static let authorization = "authorization"
        /// A caller-chosen id that follows a request through the services' logs.
        public static let requestID = "x-request-id"
        /// Who asks for a change (the gateway sends the API key's name); services record it.
        public static let actor = "pm-actor"
    }
}
