/// A generated proto enum. Open, as proto3 enums are: an unknown number received from a newer peer
/// survives a round trip instead of failing to decode.
public protocol ProtoEnum: RawRepresentable, Hashable, Sendable, CustomStringConvertible where RawValue == Int32 {
    init(rawValue: Int32)
    /// The value's name without the enum's prefix, lower-cased: `SEVERITY_CRITICAL` -> `critical`.
    var shortName: String? { get }
    /// Every value the contract names.
    static var allKnown: [Self] { get }
}

extension ProtoEnum {
    /// The value whose ``shortName`` is `shortName`, or nil.
    public init?(shortName: String) {
        guard let match = Self.allKnown.first(where: { $0.shortName == shortName }) else { return nil }
        self = match
    }

    /// Whether the contract names this value.
    public var isKnown: Bool { shortName != nil }

    /// The short name, or `unknown(N)` for a number the contract does not name.
    public var description: String { shortName ?? "unknown(\(rawValue))" }
}
