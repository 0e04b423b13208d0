import PMRPC
import ServiceKit

/// One RPC client per internal service, all carrying the shared token.
public struct ServiceClients: Sendable {
    public let byName: [(name: String, client: RPCClient)]

    public init(configuration: GatewayConfiguration) {
        self.byName = configuration.services.map { service in
            let client = RPCClient(
                configuration: .init(host: service.address.host, port: service.address.port, defaultTimeout: .seconds(5)),
                interceptors: [BearerTokenClientInterceptor(token: configuration.token)]
            )
            return (service.name, client)
        }
    }

    public func closeAll() async {
        for (_, client) in byName { await client.close() }
    }
}
