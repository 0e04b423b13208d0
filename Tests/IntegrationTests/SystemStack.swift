import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ProcessTestSupport
import RPCTesting
import Testing

/// The suites that start the whole system (``SystemStack``), run one after another: each starts six
/// processes, and several at once on two cores starve the rest of the suite (a 2 s connect timeout
/// elsewhere expired while four stacks and schemathesis ran).
@Suite(.serialized) enum GatewaySystemTests {}

/// The whole system as real processes on ports of their own: Ingest (with the demo fleet), Alerting,
/// two Detection replicas, Scheduling and the gateway, as `make run` starts them. The gateway's
/// address is `baseURL`.
final class SystemStack: Sendable {
    let folder: TemporaryFolder
    let ingest: ServiceProcess
    let alerting: ServiceProcess
    let detection: [ServiceProcess]
    let scheduling: ServiceProcess
    let gateway: ServiceProcess
    /// The admin key the gateway created on its first start (what `make run` prints as a sign-in URL).
    let adminKey: String
    static let token = "stack-test-token"

    var baseURL: String { "http://\(gateway.announced["http"] ?? gateway.address)" }

    private init(
        folder: TemporaryFolder, ingest: ServiceProcess, alerting: ServiceProcess, detection: [ServiceProcess], scheduling: ServiceProcess,
        gateway: ServiceProcess, adminKey: String
    ) {
        self.folder = folder
        self.ingest = ingest
        self.alerting = alerting
        self.detection = detection
        self.scheduling = scheduling
        self.gateway = gateway
        self.adminKey = adminKey
    }

    /// Starts the stack, runs `body`, and stops every process whatever happened.
    static func with<Result: Sendable>(
        gatewayEnvironment: [String: String] = [:], _ body: @Sendable (SystemStack) async throws -> Result
    ) async throws -> Result {
        let folder = try TemporaryFolder()
        var started = [ServiceProcess]()
        do {
            let ingest = try await ServiceProcess.started(
                "ingest", folder: folder, token: token, environment: ["INGEST_DEMO_FLEET": "true"])
            started.append(ingest)
            let alerting = try await ServiceProcess.started("alerting", folder: folder, token: token)
            started.append(alerting)
            var detection = [ServiceProcess]()
            for index in 0..<2 {
                let replica = try await ServiceProcess.started(
                    "detection", folder: folder, token: token,
                    environment: [
                        "DETECTION_SHARD_COUNT": "2", "DETECTION_SHARD_INDEX": "\(index)", "INGEST_RPC_PORT": "\(ingest.port)",
                        "ALERTING_RPC_PORT": "\(alerting.port)", "DETECTION_DATABASE": "\(folder.path)/detection-\(index).sqlite",
                    ])
                started.append(replica)
                detection.append(replica)
            }
            // Deadlines that favour a quick answer in production are a minute here: on a busy CI machine a
            // service can take seconds to answer, and the tests check what the answers say, not how fast.
            let scheduling = try await ServiceProcess.started(
                "scheduling", folder: folder, token: token,
                environment: [
                    "INGEST_RPC_PORT": "\(ingest.port)", "ALERTING_RPC_PORT": "\(alerting.port)",
                    "DETECTION_RPC_PORT": "\(detection[0].port)", "SCHEDULING_DASHBOARD_DEADLINE_MS": "60000",
                ])
            started.append(scheduling)
            let gateway = try ServiceProcess(
                executable: "gateway",
                environment: gatewayEnvironment.merging([
                    "GATEWAY_HTTP_PORT": "0", "PM_RPC_TOKEN": token, "PM_LOG_LEVEL": "error", "INGEST_RPC_PORT": "\(ingest.port)",
                    "ALERTING_RPC_PORT": "\(alerting.port)", "SCHEDULING_RPC_PORT": "\(scheduling.port)",
                    "DETECTION_RPC_ADDRESSES": detection.map(\.address).joined(separator: ","), "GATEWAY_LIVE_POLL_MS": "200",
                    "PM_DATA_DIR": "\(folder.path)/gateway", "GATEWAY_CALL_TIMEOUT_MS": "60000", "GATEWAY_SCORE_TIMEOUT_MS": "60000",
                    "GATEWAY_DASHBOARD_DEADLINE_MS": "60000", "GATEWAY_HEALTH_TIMEOUT_MS": "60000",
                ]) { given, _ in given })
            started.append(gateway)
            try await gateway.start()
            let adminKey = try String(contentsOfFile: "\(folder.path)/gateway/admin-key", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let stack = SystemStack(
                folder: folder, ingest: ingest, alerting: alerting, detection: detection, scheduling: scheduling, gateway: gateway,
                adminKey: adminKey)
            let result = try await body(stack)
            // Every service should stop cleanly on SIGTERM, promptly: a follower that spun after shutdown
            // began once kept the gateway burning two cores until it was killed. Reported, not yet an
            // expectation: one full-suite run saw a Detection replica still running 120 s after SIGTERM
            // (not reproduced in 42 stacks since; see the issue notes). Services now cancel what still
            // runs after PM_SHUTDOWN_GRACE_SECONDS and log which part that was: printed here too, so that
            // the next occurrence in CI names it.
            for (process, exit) in await stop(started) {
                let cutShort = process.stderrText().contains("shutdown grace ended")
                guard exit != 0 || cutShort else { continue }
                let state = exit.map { "exited with status \($0)" } ?? "was still running 120 s after SIGTERM"
                print(
                    "warning: \(process.name) \(state)\(cutShort ? ", cut short by its shutdown grace" : ""); its stderr ends:\n\(process.stderrText().suffix(3000))"
                )
            }
            return result
        } catch {
            for process in started.reversed() where !process.stderrText().isEmpty {
                print("--- \(process.name) stderr ---\n\(process.stderrText().suffix(3000))")
            }
            await stop(started)
            throw error
        }
    }

    /// Stops the processes, the gateway first; each one's exit status, nil when it had to be killed.
    @discardableResult
    private static func stop(_ processes: [ServiceProcess]) async -> [(process: ServiceProcess, exit: Int32?)] {
        var exits: [(process: ServiceProcess, exit: Int32?)] = []
        for process in processes.reversed() { exits.append((process, try? await process.terminate())) }
        return exits
    }

    // MARK: HTTP

    struct HTTPResult: Sendable {
        let status: Int
        let headers: [(String, String)]
        let body: Data

        /// The body as JSON (objects as [String: Any], arrays as [Any]).
        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// `error.code` and `error.field` of an error body.
        var error: (code: String?, field: String?) {
            let detail = object["error"] as? [String: Any]
            return (detail?["code"] as? String, detail?["field"] as? String)
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    /// What key a request carries: the admin key (the default), another, or none.
    enum Credential: Sendable {
        case admin
        case key(String)
        case none
    }

    /// One request to the gateway; `json` is serialised, `body` sent as is.
    func request(
        _ method: HTTPMethod, _ path: String, json: Any? = nil, body: Data? = nil, contentType: String? = nil,
        headers: [(String, String)] = [], as credential: Credential = .admin
    ) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        switch credential {
        case .admin: request.headers.add(name: "Authorization", value: "Bearer \(adminKey)")
        case .key(let key): request.headers.add(name: "Authorization", value: "Bearer \(key)")
        case .none: break
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])))
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
        } else if let body {
            request.body = .bytes(ByteBuffer(data: body))
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return HTTPResult(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data(buffer: data))
    }

    /// Polls `condition` until it holds, for up to `limit` (generous: the first run after a clean build
    /// on two busy cores is slow).
    func eventually(
        _ what: String, limit: Duration = .seconds(60), interval: Duration = .milliseconds(200), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: interval)
        }
        throw ProcessError("timed out after \(limit) waiting for \(what)")
    }

    /// `count` healthy readings of one machine, one a second ending now, in one batch upload.
    func postHealthyHistory(machine: Int, count: Int) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let readings: [[String: Any]] = (0..<count).map { index in
            let wobble = Double(index % 7) / 7
            return [
                "equipment_id": machine, "timestamp": now - Int64(count - index) * 1000, "temperature": 70 + wobble,
                "vibration": 2.5 + wobble / 10, "pressure": 100 + wobble, "power_consumption": 80 + wobble, "efficiency": 92 - wobble / 2,
            ]
        }
        let result = try await request(.POST, "/api/sensor-data/batch", json: readings)
        #expect(result.status == 200, "\(result.text)")
    }

    /// A reading far from the healthy history: hot, shaking, inefficient.
    static func anomalousReading(machine: Int) -> [String: Any] {
        ["equipment_id": machine, "temperature": 96.0, "vibration": 9.8, "pressure": 100.0, "power_consumption": 80.0, "efficiency": 70.0]
    }
}
