import PMRPC
import ServiceKit

/// One RPC client per internal service, all carrying the shared token.
public struct ServiceClients: Sendable {
    public let byName: [(name: String, client: RPCClient)]

    public init(configuration: GatewayConfiguration) {
        self.byName = configuration.services.map { ($0.name, $0.peer.makeClient()) }
    }

    public func closeAll() async {
        for (_, client) in byName { await client.close() }
    }
}
