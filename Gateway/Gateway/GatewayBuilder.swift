import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// Builds the public gateway: HTTP on `GATEWAY_HTTP_PORT`, translating requests into internal calls.
public enum GatewayBuilder {
    public static func buildApplication(configuration: GatewayConfiguration, logger: Logger) -> some ApplicationProtocol {
        let clients = ServiceClients(configuration: configuration)
        let router = Router()
        HealthController(clients: clients).register(with: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "pm-gateway"),
            services: [ClientsCloser(clients: clients)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.httpPort
                Readiness.announce("gateway", kind: "http", address: "\(configuration.httpHost):\(port)")
            },
            logger: logger
        )
    }

    /// Closes the RPC clients when the gateway shuts down.
    private struct ClientsCloser: Service {
        let clients: ServiceClients

        func run() async throws {
            try? await gracefulShutdown()
            await clients.closeAll()
        }
    }
}
