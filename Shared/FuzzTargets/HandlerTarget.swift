import Alerting
import Detection
import Dispatch
import Foundation
import Ingest
import Logging
import PMProto
@_spi(Fuzzing) import PMRPC
import Scheduling
@_spi(Fuzzing) import ServiceKit
import Synchronization

extension FuzzTarget {
    /// `<Method>\n<request bytes>` to Ingest's handlers, on a real SQLite file with the demo fleet and a
    /// few readings, so that queries find data.
    public static let ingestHandlers = handlers(
        of: IngestService.name, target: "ingest-handlers",
        setUp: [(IngestService.recordReadings.path, RecordReadingsRequest(readings: Samples.readings))]
    ) { configuration, logger in
        try IngestBuilder.buildApplication(
            configuration: configuration, environment: Environment(["INGEST_SQLITE_SYNCHRONOUS": "normal"]), logger: logger)
    }

    /// `<Method>\n<request bytes>` to Alerting's handlers, on a real SQLite file with one alert and one
    /// silence, and a webhook receiver that refuses connections (the outbox keeps retrying).
    public static let alertingHandlers = handlers(
        of: AlertingService.name, target: "alerting-handlers",
        setUp: [(AlertingService.raiseAlert.path, Samples.raiseAlert), (AlertingService.createSilence.path, Samples.createSilence)]
    ) { configuration, logger in
        try AlertingBuilder.buildApplication(
            configuration: configuration,
            environment: Environment([
                "ALERTING_SQLITE_SYNCHRONOUS": "normal", "ALERTING_WEBHOOK_URLS": "http://127.0.0.1:9/hook",
                "ALERTING_WEBHOOK_SECRET": "fuzz",
            ]), logger: logger)
    }

    /// `<Method>\n<request bytes>` to Scheduling's handlers, on a real SQLite file. Ingest, Alerting and
    /// Detection are unreachable (port 9): CreateTask answers UNAVAILABLE, DashboardStats marks their
    /// parts unavailable, every other method works on the file.
    public static let schedulingHandlers = handlers(of: SchedulingService.name, target: "scheduling-handlers") { configuration, logger in
        try SchedulingBuilder.buildApplication(
            configuration: configuration,
            environment: Environment([
                "SCHEDULING_SQLITE_SYNCHRONOUS": "normal", "INGEST_RPC_PORT": "9", "ALERTING_RPC_PORT": "9", "DETECTION_RPC_PORT": "9",
                "PM_RPC_TIMEOUT_MS": "200", "SCHEDULING_DASHBOARD_DEADLINE_MS": "200",
            ]), logger: logger)
    }

    /// `<Method>\n<request bytes>` to Detection's handlers (the default detector, two replicas, this one
    /// the second), on a real SQLite file. Ingest and Alerting are unreachable (port 9): the scorer keeps
    /// retrying, and the handlers answer from the file and the models.
    public static let detectionHandlers = handlers(of: DetectionService.name, target: "detection-handlers") { configuration, logger in
        try DetectionBuilder.buildApplication(
            configuration: configuration,
            environment: Environment([
                "DETECTION_SHARD_COUNT": "2", "DETECTION_SHARD_INDEX": "1", "INGEST_RPC_PORT": "9", "ALERTING_RPC_PORT": "9",
                "PM_RPC_TIMEOUT_MS": "200",
            ]), logger: logger)
    }

    /// A target calling the handlers of `service` (`pm.v1.IngestService`) in the application `build`
    /// makes, through its router as its server would, on a fresh data folder. A status that means the
    /// server failed (UNKNOWN, INTERNAL, DATA_LOSS) is a finding, like a crash: bad input must get a
    /// typed answer.
    static func handlers(
        of service: String, target: String, setUp: [(path: String, request: any ProtoMessage)] = [],
        build: @escaping @Sendable (RPCServiceConfiguration, Logger) throws -> RPCServiceApplication
    ) -> FuzzTarget {
        let application = StartedOnFirstUse(name: target, setUp: setUp.map { ($0.path, $0.request.serializedBytes()) }, build: build)
        return FuzzTarget(name: target) { bytes in
            guard let (method, payload) = NamedInput.split(bytes) else { return }
            let path = "/\(service)/\(method)"
            guard allMethodRequestTypes[path] != nil else { return }
            // Started here, on the caller's thread: its set-up blocks too, and must not on the pool.
            let started = application.value
            let status = blocking { () async -> RPCError? in
                do throws(RPCError) {
                    try await started.invokeWithoutConnection(path: path, payload: payload)
                    return nil
                } catch {
                    return error
                }
            }
            if let status, status.code.isServerFault {
                preconditionFailure("\(method) answered \(status.code): \(status.message); cause: \(String(describing: status.cause))")
            }
        } seeds: {
            allMethodRequestTypes.keys.sorted().compactMap { path in
                guard path.hasPrefix("/\(service)/") else { return nil }
                return NamedInput.join(String(path.dropFirst(service.count + 2)), MessageTarget.sample(allMethodRequestTypes[path]!))
            }
        }
    }
}

/// An application built and started (without its server) on first use, in a fresh temporary folder, given
/// the `setUp` calls, and kept for the life of the process.
private final class StartedOnFirstUse: Sendable {
    private let name: String
    private let setUp: [(path: String, payload: [UInt8])]
    private let build: @Sendable (RPCServiceConfiguration, Logger) throws -> RPCServiceApplication
    private let started = Mutex<RPCServiceApplication?>(nil)

    init(
        name: String, setUp: [(path: String, payload: [UInt8])],
        build: @escaping @Sendable (RPCServiceConfiguration, Logger) throws -> RPCServiceApplication
    ) {
        self.name = name
        self.setUp = setUp
        self.build = build
    }

    var value: RPCServiceApplication {
        started.withLock { started in
            if let started { return started }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pm-fuzz-\(name)-\(getpid())").path
            var logger = Logger(label: name)
            logger.logLevel = .critical
            // A fuzzer cannot run without its application: failing to build one is fatal.
            let application = try! build(
                RPCServiceConfiguration(name: name, defaultPort: 0, environment: Environment(["PM_DATA_DIR": folder])), logger)
            application.startBackgroundServicesWithoutServer()
            for call in setUp {
                blocking { try! await application.invokeWithoutConnection(path: call.path, payload: call.payload) }
            }
            started = application
            return application
        }
    }
}

/// Waits for `body` on the calling thread: libFuzzer calls its targets synchronously.
func blocking<Result: Sendable>(_ body: @escaping @Sendable () async -> Result) -> Result {
    let result = Mutex<Result?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await body()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}
