/// One method of a service in the contract, with its request and response types.
public struct MethodDescriptor<Request: ProtoMessage, Response: ProtoMessage>: Sendable {
    /// How many messages each side sends.
    public enum Kind: Sendable {
        case unary
        case serverStreaming
    }

    /// The contract's name of the service: `pm.v1.IngestService`.
    public let service: String
    /// The method's name in the service: `RecordReadings`.
    public let method: String
    /// Unary or server-streaming.
    public let kind: Kind
    /// The wire name of the method: `/pm.v1.IngestService/RecordReadings`.
    public let path: String

    /// A method of `service`; generated code makes one per RPC of the contract.
    public init(service: String, method: String, kind: Kind) {
        self.service = service
        self.method = method
        self.kind = kind
        self.path = "/\(service)/\(method)"
    }
}
