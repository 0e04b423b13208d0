import PMProto

extension FuzzTarget {
    /// `<MessageName>\n<bytes>`: protobuf-c's unpacking and the Swift conversion of any message of the
    /// contract, each decoded message checked to re-encode stably.
    public static let messages = FuzzTarget(name: "messages", run: MessageTarget.run, seeds: MessageTarget.seeds)
}

enum MessageTarget {
    static let typesByName = Dictionary(uniqueKeysWithValues: allProtoMessageTypes.map { ("\($0)", $0) })

    static func run(_ bytes: [UInt8]) {
        guard let (name, payload) = NamedInput.split(bytes), let type = typesByName[name] else { return }
        checkRoundTrip(type, payload)
    }

    /// Whatever decodes must encode to bytes that decode to a message encoding to the same bytes.
    static func checkRoundTrip<Message: ProtoMessage>(_ type: Message.Type, _ bytes: [UInt8]) {
        guard let message = try? Message(serializedBytes: bytes) else { return }
        let encoded = message.serializedBytes()
        guard let again = try? Message(serializedBytes: encoded) else {
            preconditionFailure("\(Message.self) decoded from \(bytes.count) bytes, but its re-encoding does not decode")
        }
        precondition(again.serializedBytes() == encoded, "\(Message.self): re-encoding is not stable")
    }

    /// Every message empty, then the samples with content.
    static func seeds() -> [[UInt8]] {
        allProtoMessageTypes.map { NamedInput.join("\($0)", []) }
            + Samples.requests.map { NamedInput.join("\(type(of: $0))", $0.serializedBytes()) }
    }

    /// A valid encoding of `type`'s message: a sample when there is one, else the empty message.
    static func sample(_ type: any ProtoMessage.Type) -> [UInt8] {
        Samples.requests.first { Swift.type(of: $0) == type }?.serializedBytes() ?? []
    }
}
