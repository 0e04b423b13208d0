import Foundation
import Logging
import ServiceKit

/// The gateway's settings, read once from the environment (README.md lists them).
public struct GatewayConfiguration: Sendable {
    public var httpHost: String
    public var httpPort: Int
    /// HTTPS and WSS instead of plain HTTP on `httpPort` (`GATEWAY_TLS_CERT` and `GATEWAY_TLS_KEY`, both
    /// or neither); nil when a reverse proxy in front terminates TLS, or for local use.
    public var tls: GatewayTLS?
    public var logLevel: Logger.Level
    /// The internal services, by the name used in health reports; the gateway's calls carry
    /// `GATEWAY_CALL_TIMEOUT_MS` as their deadline.
    public var ingest: PeerConfiguration
    public var alerting: PeerConfiguration
    public var scheduling: PeerConfiguration
    /// The Detection replicas in shard order: replica i owns the machines with id % count == i.
    /// `DETECTION_RPC_ADDRESSES` (host:port,...), else one replica at DETECTION_RPC_HOST/PORT.
    public var detectionReplicas: [PeerConfiguration]
    /// The most readings one batch upload may hold (`GATEWAY_MAX_BATCH_READINGS`, default and at most
    /// 10,000: one RecordReadings call, well inside the RPC frame limit even with long reading ids).
    public var maxBatchReadings: Int
    /// Answers that are worth more quick than complete: how long `POST /api/sensor-data` waits for the
    /// reading's verdict (`GATEWAY_SCORE_TIMEOUT_MS`, 500; the reading is stored either way), how long
    /// the dashboard's figures wait for each Detection replica (`GATEWAY_DASHBOARD_DEADLINE_MS`, 1000;
    /// a late one is listed as unavailable), and `/health` for each service (`GATEWAY_HEALTH_TIMEOUT_MS`, 2000).
    public var scoreTimeout: Duration
    public var dashboardDeadline: Duration
    public var healthTimeout: Duration
    /// Plotly.js as Debian's python3-plotly installs it (`GATEWAY_PLOTLY_JS`).
    public var plotlyPath: String
    /// Swagger UI's files, from Debian's python3-flasgger (`GATEWAY_SWAGGER_UI_DIR`).
    public var swaggerUIDirectory: String
    /// How often machine statuses and predictions are polled for the live feed (`GATEWAY_LIVE_POLL_MS`).
    public var livePollInterval: Duration
    /// Messages a WebSocket client may have queued before it is disconnected as too slow
    /// (`GATEWAY_WS_MAX_QUEUED`, default 10,000: a burst such as a batch upload is not slowness).
    public var webSocketMaxQueued: Int

    /// The key store's SQLite file (`GATEWAY_DATABASE`, default `$PM_DATA_DIR/gateway.sqlite`).
    public var databasePath: String
    /// Where the first run writes the admin key it creates (`GATEWAY_ADMIN_KEY_FILE`, mode 0600).
    public var adminKeyFile: String
    /// `/metrics` without a key, for a Prometheus on a private network (`GATEWAY_PUBLIC_METRICS`).
    public var publicMetrics: Bool
    /// Origins allowed cross-origin access (`GATEWAY_CORS_ORIGINS`, comma-separated; none by default).
    public var corsOrigins: [String]

    /// Requests per second per key by role (`GATEWAY_RATE_LIMIT_<ROLE>`; bursts of twice that), and
    /// failed key checks per client address per minute before 429 (`GATEWAY_AUTH_MAX_FAILURES_PER_MINUTE`).
    public var rateLimits: [Role: Double]
    public var authFailuresPerMinute: Int
    /// Lets requests that carry `X-PM-Benchmark-Without-Auth` skip the key check
    /// (`GATEWAY_BENCHMARK_WITHOUT_AUTH=true`, refused unless the gateway listens on loopback without
    /// TLS): only for `make bench-gateway`, which measures what authentication costs by alternating
    /// keyed requests with such requests on the same gateway.
    public var benchmarkWithoutAuthentication: Bool

    public init(environment: Environment) throws {
        self.httpHost = environment.string("gateway.http.host", default: "127.0.0.1")
        self.httpPort = try environment.int("gateway.http.port", default: DefaultPorts.gatewayHTTP, in: 0...65535)
        self.tls = try Self.readTLS(environment)
        self.logLevel = try RPCServiceConfiguration.readLogLevel(environment)
        let timeout = Duration.milliseconds(try environment.int("gateway.call.timeout-ms", default: 5000, in: 1...600_000))
        func peer(_ name: String, _ port: Int) throws -> PeerConfiguration {
            var peer = try PeerConfiguration(service: name, defaultPort: port, environment: environment)
            peer.defaultTimeout = timeout
            return peer
        }
        self.ingest = try peer("ingest", DefaultPorts.ingest)
        self.alerting = try peer("alerting", DefaultPorts.alerting)
        self.scheduling = try peer("scheduling", DefaultPorts.scheduling)
        let detection = try peer("detection", DefaultPorts.detection)
        if let list = environment.string("detection.rpc.addresses"), !list.isEmpty {
            let invalid = ConfigurationError(
                variable: Environment.variableName("detection.rpc.addresses"), value: list,
                expected: "one or more host:port entries separated by commas, in shard order")
            self.detectionReplicas = try list.split(separator: ",", omittingEmptySubsequences: false).map { entry in
                // The port follows the last colon, so that an IPv6 host ([::1]:7102) works too.
                let entry = entry.trimmingCharacters(in: .whitespaces)
                guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]), (1...65535).contains(port)
                else { throw invalid }
                let host = entry[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                guard !host.isEmpty else { throw invalid }
                var replica = detection
                replica.address = ServiceAddress(host: host, port: port)
                return replica
            }
        } else {
            self.detectionReplicas = [detection]
        }
        self.maxBatchReadings = try environment.int("gateway.max-batch-readings", default: 10_000, in: 1...10_000)
        self.scoreTimeout = .milliseconds(try environment.int("gateway.score.timeout-ms", default: 500, in: 1...600_000))
        self.dashboardDeadline = .milliseconds(try environment.int("gateway.dashboard.deadline-ms", default: 1000, in: 1...600_000))
        self.healthTimeout = .milliseconds(try environment.int("gateway.health.timeout-ms", default: 2000, in: 1...600_000))
        self.plotlyPath = environment.string(
            "gateway.plotly-js", default: "/usr/share/python3-plotly/plotly.js")
        self.swaggerUIDirectory = environment.string(
            "gateway.swagger-ui-dir", default: "/usr/lib/python3/dist-packages/flasgger/ui3/static")
        self.livePollInterval = .milliseconds(try environment.int("gateway.live.poll-ms", default: 1000, in: 50...60_000))
        let dataDirectory = environment.string("pm.data.dir", default: "data")
        self.databasePath = environment.string("gateway.database", default: "\(dataDirectory)/gateway.sqlite")
        self.adminKeyFile = environment.string("gateway.admin-key-file", default: "\(dataDirectory)/admin-key")
        self.publicMetrics = try environment.bool("gateway.public-metrics", default: false)
        self.corsOrigins = (environment.string("gateway.cors-origins") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let defaults: [Role: Int] = [.device: 20_000, .admin: 1000, .operator: 200, .viewer: 200]
        self.rateLimits = try defaults.reduce(into: [:]) { limits, entry in
            limits[entry.key] = Double(
                try environment.int("gateway.rate-limit.\(entry.key.rawValue)", default: entry.value, in: 1...1_000_000))
        }
        self.authFailuresPerMinute = try environment.int("gateway.auth.max-failures-per-minute", default: 30, in: 1...1_000_000)
        self.benchmarkWithoutAuthentication = try environment.bool("gateway.benchmark-without-auth", default: false)
        // A benchmark's switch must not open a gateway that others can reach.
        if benchmarkWithoutAuthentication, tls != nil || !["127.0.0.1", "::1", "localhost"].contains(httpHost) {
            throw ConfigurationError(
                variable: Environment.variableName("gateway.benchmark-without-auth"), value: "true",
                expected: "false unless the gateway listens on 127.0.0.1, ::1 or localhost without TLS (it is only for make bench-gateway)")
        }
        self.webSocketMaxQueued = try environment.int("gateway.ws.max-queued", default: 10_000, in: 10...1_000_000)
    }

    /// The TLS files' paths; the files are read when the server is built, so that `gateway keys` works without them.
    private static func readTLS(_ environment: Environment) throws -> GatewayTLS? {
        let certificate = environment.string("gateway.tls.cert")
        let key = environment.string("gateway.tls.key")
        func missing(_ missingKey: String, _ what: String, given givenKey: String) -> ConfigurationError {
            ConfigurationError(
                variable: Environment.variableName(missingKey), value: "",
                expected: "the path of \(what), since \(Environment.variableName(givenKey)) is set (set both or neither)")
        }
        switch (certificate, key) {
        case (let certificate?, let key?): return GatewayTLS(certificatePath: certificate, keyPath: key)
        case (nil, nil): return nil
        case (_?, nil): throw missing("gateway.tls.key", "the PEM private key", given: "gateway.tls.cert")
        case (nil, _?): throw missing("gateway.tls.cert", "the PEM certificate chain", given: "gateway.tls.key")
        }
    }
}
