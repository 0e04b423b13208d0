import PMRPC
import PMServices
import ServiceKit

/// One RPC client per internal service, all carrying the shared token.
public struct ServiceClients: Sendable {
    public let byName: [(name: String, client: RPCClient)]

    public init(configuration: GatewayConfiguration) {
        self.init(byName: configuration.services.map { ($0.name, $0.peer.makeClient()) })
    }

    /// Clients made elsewhere (tests hand in clients of services they run in-process).
    public init(byName: [(name: String, client: RPCClient)]) {
        self.byName = byName
    }

    var health: [(name: String, client: HealthClient)] {
        byName.map { ($0.name, HealthClient($0.client)) }
    }
}
