/// One method of a service in the contract, with its request and response types.
public struct MethodDescriptor<Request: ProtoMessage, Response: ProtoMessage>: Sendable {
    /// How many messages each side sends.
    public enum Kind: Sendable {
        case unary
        case serverStreaming
    }

    public let service: String
    public let method: String
    public let kind: Kind
    /// The wire name of the method: `/pm.v1.IngestService/RecordReadings`.
    public let path: String

    public init(service: String, method: String, kind: Kind) {
        self.service = service
        self.method = method
        self.kind = kind
        self.path = "/\(service)/\(method)"
    }
}
