import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import ServiceKit
import ServiceLifecycle

/// Builds the public gateway: REST, WebSocket and the dashboard on `GATEWAY_HTTP_PORT`, translating
/// requests into internal calls. It keeps no state beyond connections and short-lived caches.
public enum GatewayBuilder {
    public static func buildApplication(configuration: GatewayConfiguration, logger: Logger) throws -> some ApplicationProtocol {
        PrometheusMetrics.bootstrap()
        if configuration.benchmarkWithoutAuthentication {
            logger.warning(
                "GATEWAY_BENCHMARK_WITHOUT_AUTH is set: every route is open to anyone who sends \(AuthMiddleware.benchmarkBypassHeader); never use this outside a benchmark"
            )
        }
        // Before anything is created: a TLS file that cannot be used stops the gateway with a message naming it.
        let tlsConfiguration = try configuration.tls?.serverConfiguration()
        let keys = try KeyStore(path: configuration.databasePath)
        try FirstRunAdminKey.ensure(keys: keys, file: configuration.adminKeyFile, logger: logger)
        let clients = ServiceClients(configuration: configuration)
        let parts = Parts(clients: clients, keys: keys, configuration: configuration, logger: logger)
        let webSocketRouter = buildWebSocketRouter(parts)
        return Application(
            router: buildRouter(parts),
            // With TLS, the WebSocket upgrade happens inside the TLS channel: `/ws` is WSS on the same port.
            server: try tlsConfiguration.map { try .tls(.http1WebSocketUpgrade(webSocketRouter: webSocketRouter), tlsConfiguration: $0) }
                ?? .http1WebSocketUpgrade(webSocketRouter: webSocketRouter),
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "pm-gateway"),
            // The group stops services in reverse: the feed before the clients it uses.
            services: [ClientsCloser(clients.byName.map(\.client)), parts.feed],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.httpPort
                Readiness.announce(
                    "gateway", kind: configuration.tls == nil ? "http" : "https", address: "\(configuration.httpHost):\(port)")
            },
            logger: logger
        )
    }

    /// What the routes share: the clients, the key store, the live feed and its hub, the name cache.
    public struct Parts: Sendable {
        let clients: ServiceClients
        let keys: KeyStore
        let names: EquipmentNames
        let hub: LiveHub
        let feed: LiveFeed
        let configuration: GatewayConfiguration

        public init(clients: ServiceClients, keys: KeyStore, configuration: GatewayConfiguration, logger: Logger) {
            self.clients = clients
            self.keys = keys
            self.configuration = configuration
            self.names = EquipmentNames(ingest: clients.ingest)
            self.hub = LiveHub(queueLimit: configuration.webSocketMaxQueued)
            self.feed = LiveFeed(clients: clients, hub: hub, names: names, pollInterval: configuration.livePollInterval, logger: logger)
        }
    }

    /// Every HTTP route of the gateway. Middleware wraps every route, unknown routes included.
    public static func buildRouter(_ parts: Parts) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        // Metrics outside the error middleware, so that they count the statuses clients get; the browser's
        // headers on every answer, errors included; then CORS (only for listed origins) and the key check.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        if !parts.configuration.corsOrigins.isEmpty {
            router.add(middleware: ListedOriginsCORS(origins: Set(parts.configuration.corsOrigins)))
        }
        router.add(middleware: ErrorMiddleware())
        router.add(
            middleware: AuthMiddleware(
                keys: parts.keys,
                throttle: RequestThrottle(
                    limits: .init(perSecond: parts.configuration.rateLimits, failuresPerMinute: parts.configuration.authFailuresPerMinute)),
                publicMetrics: parts.configuration.publicMetrics,
                benchmarkBypass: parts.configuration.benchmarkWithoutAuthentication))
        let clients = parts.clients
        HealthRoutes(services: clients.health, timeout: parts.configuration.healthTimeout).register(on: router)
        MetricsRoutes().register(on: router)
        EquipmentRoutes(clients: clients, names: parts.names).register(on: router)
        SensorDataRoutes(
            clients: clients, feed: parts.feed, maxBatchReadings: parts.configuration.maxBatchReadings,
            scoreTimeout: parts.configuration.scoreTimeout
        ).register(on: router)
        PredictionRoutes(clients: clients, names: parts.names).register(on: router)
        AlertRoutes(clients: clients, names: parts.names).register(on: router)
        SilenceRoutes(clients: clients).register(on: router)
        MaintenanceRoutes(clients: clients, names: parts.names).register(on: router)
        PreventiveRuleRoutes(clients: clients).register(on: router)
        DashboardRoutes(clients: clients, detectionDeadline: parts.configuration.dashboardDeadline).register(on: router)
        KeyRoutes(keys: parts.keys).register(on: router)
        StaticFiles(plotlyPath: parts.configuration.plotlyPath, swaggerUIDirectory: parts.configuration.swaggerUIDirectory)
            .register(on: router)
        return router
    }

    static let heartbeat = Duration.seconds(15)

    /// `/ws`: the live feed.
    static func buildWebSocketRouter(_ parts: Parts) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.ws("/ws") { inbound, outbound, context in
            try await WebSocketSession(hub: parts.hub, keys: parts.keys, heartbeat: heartbeat).run(
                inbound: inbound, outbound: outbound, logger: context.logger)
        }
        return router
    }
}
