/// A service of the contract, ready to be served. The generated `<Name>Protocol`s (`IngestServiceProtocol`)
/// refine it: a type that implements every method of the contract's service gets its name and
/// `register(in:)` for free, and one that misses a method does not compile.
public protocol RPCService: Sendable {
    /// The contract's name of the service: "pm.v1.IngestService".
    static var serviceName: String { get }

    /// Registers a handler for each of the service's methods.
    func register(in router: inout RPCRouter)
}

extension RPCRouter {
    /// A router serving every method of `services`.
    public init(services: [any RPCService]) {
        self.init()
        for service in services { service.register(in: &self) }
    }
}
