import Logging
import PMProto
import PMRPC
import PMServices
import ServiceLifecycle

/// Runs one RPC service: its server (with authentication, logging and metrics interceptors and the
/// health service), its Prometheus endpoint when configured, plus whatever background services it needs,
/// in one `ServiceGroup` that stops gracefully on SIGTERM or SIGINT.
public struct RPCServiceApplication: Sendable {
    /// The settings the application was built with.
    public let configuration: RPCServiceConfiguration
    /// What the health service answers: the server ("") and each service SERVING once the server
    /// listens, all NOT_SERVING once shutdown begins. A service may set its own status too.
    public let health = HealthStatusRegistry()
    private let serviceNames: [String]
    let backgroundServices: [any Service]
    let logger: Logger
    let router: RPCRouter
    let server: RPCServer

    /// Serves `services` (each under its contract name) and the health service; runs
    /// `backgroundServices` beside the server.
    public init(
        configuration: RPCServiceConfiguration,
        services: [any RPCService],
        backgroundServices: [any Service] = [],
        logger: Logger
    ) {
        self.configuration = configuration
        self.serviceNames = services.map { type(of: $0).serviceName }
        self.backgroundServices = backgroundServices
        self.logger = logger
        router = RPCRouter(services: services + [HealthService(registry: health, maxFrameBytes: configuration.server.maxFrameSize)])
        self.server = RPCServer(
            configuration: configuration.server,
            router: router,
            interceptors: [
                LoggingServerInterceptor(),
                MetricsServerInterceptor(),
                BearerTokenServerInterceptor(token: configuration.token),
            ],
            logger: logger
        )
    }

    /// The address the server listens on, once bound.
    public var listeningAddress: String {
        get async throws {
            let address = try await server.listeningAddress
            return "\(address.ipAddress ?? configuration.server.host):\(address.port ?? configuration.server.port)"
        }
    }

    /// Runs until SIGTERM/SIGINT (graceful: in-flight calls finish) or cancellation. Tests pass
    /// `handlingSignals: false` and trigger graceful shutdown themselves.
    public func run(handlingSignals: Bool = true) async throws {
        if configuration.token == RPCServiceConfiguration.developmentToken {
            logger.warning("PM_RPC_TOKEN is not set: using the development token; set a secret in production")
        }
        let metrics = configuration.metrics.map { MetricsEndpoint(configuration: $0, logger: logger) }
        if metrics != nil { PrometheusMetrics.bootstrap() }
        let readiness = ReadinessAnnouncer(application: self, metrics: metrics)
        // The endpoint before the server, so the group stops it after the server: the drain can be scraped.
        let parts: [any Service] = backgroundServices + (metrics.map { [$0] } ?? []) + [server, readiness]
        var groupConfiguration = ServiceGroupConfiguration(
            services: parts.map { .init(service: ShutdownLogged(service: $0, logger: logger)) },
            gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        // Past the grace, what still runs is cancelled: a part that hangs must not keep the process alive.
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGrace
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    /// Marks every service SERVING once the server (and the metrics endpoint) listens, prints
    /// `ready <name> rpc=<host:port>` on standard output (scripts and process tests wait for it), then
    /// `ready <name> metrics=<host:port>` for the endpoint, and NOT_SERVING when shutdown begins.
    private struct ReadinessAnnouncer: Service {
        let application: RPCServiceApplication
        let metrics: MetricsEndpoint?

        func run() async throws {
            let address = try await application.listeningAddress
            let metricsAddress = try await metrics?.listeningAddress
            for name in application.serviceNames + [""] {
                application.health.set(.serving, for: name)
            }
            // The rpc line first: scripts that read the first ready line read the RPC address.
            Readiness.announce(application.configuration.name, kind: "rpc", address: address)
            if let metricsAddress { Readiness.announce(application.configuration.name, kind: "metrics", address: metricsAddress) }
            try? await gracefulShutdown()
            application.health.setAll(.notServing)
        }
    }
}
