/// The parts of a `.proto` file the Swift generator understands, read from a descriptor set.
public struct FileSpec: Sendable {
    public var name: String
    public var package: String
    public var messages: [MessageSpec]
    public var enums: [EnumSpec]
    public var services: [ServiceSpec]
}

/// A top-level message.
public struct MessageSpec: Sendable {
    public var name: String
    public var fields: [FieldSpec]
    /// The comment before it in the `.proto`, becoming its doc comment.
    public var comment: String?
}

/// One field of a message. `optionalOneof` names the one-field oneof that gives it presence.
public struct FieldSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case double, float, int32, int64, uint32, uint64, sint32, sint64, fixed32, fixed64, sfixed32, sfixed64
        case bool, string, bytes
        case enumeration(String)
        case message(String)
    }

    public var name: String
    public var number: Int32
    public var kind: Kind
    public var repeated: Bool
    public var optionalOneof: String?
    public var comment: String?
}

/// A top-level enum: its values by name and number.
public struct EnumSpec: Sendable {
    public var name: String
    public var values: [(name: String, number: Int32, comment: String?)]
    public var comment: String?
}

/// A service and its methods; only unary and server-streaming methods are supported.
public struct ServiceSpec: Sendable {
    public struct Method: Sendable {
        public var name: String
        public var input: String
        public var output: String
        public var serverStreaming: Bool
        public var comment: String?
    }

    public var name: String
    public var methods: [Method]
    public var comment: String?
}

/// Something in the .proto files that the generator deliberately does not support.
public struct UnsupportedProtoError: Error, CustomStringConvertible {
    public var description: String
}
