import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// Builds the public gateway: HTTP on `GATEWAY_HTTP_PORT`, translating requests into internal calls.
public enum GatewayBuilder {
    public static func buildApplication(configuration: GatewayConfiguration, logger: Logger) -> some ApplicationProtocol {
        let clients = ServiceClients(configuration: configuration)
        return Application(
            router: buildRouter(clients: clients),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "pm-gateway"),
            services: [ClientsCloser(clients.byName.map(\.client))],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.httpPort
                Readiness.announce("gateway", kind: "http", address: "\(configuration.httpHost):\(port)")
            },
            logger: logger
        )
    }

    /// Every route of the gateway, over the given clients: the application serves it, and tests drive
    /// it in-process with Hummingbird's test client.
    public static func buildRouter(clients: ServiceClients) -> Router<BasicRequestContext> {
        let router = Router()
        router.addRoutes(HealthController(services: clients.health).routes())
        return router
    }
}
