import Foundation
import PMRPC
import ProcessTestSupport
import RPCTesting
import Testing

/// A service executable started for a test, with port 0, and the address it announced on stdout.
final class ServiceProcess: @unchecked Sendable {
    // Mutable state is only touched by the test that owns the process.
    let process = Process()
    let name: String
    private(set) var address = ""
    /// Every address announced at start, by kind: `rpc`, then `metrics` when the service serves them.
    private(set) var announced: [String: String] = [:]
    private let output = Pipe()
    // A file rather than a pipe: a service that logs a lot must never block on a full pipe.
    private let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("pm-\(UUID().uuidString).log")
    /// Where the service keeps its files unless the test names a folder (PM_DATA_DIR).
    private let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pm-data-\(UUID().uuidString)")

    init(executable: String, environment: [String: String] = [:]) throws {
        name = executable
        let binary = Paths.binaries.appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ProcessError("\(binary.path) is missing: run `swift build` before `swift test` (make test does)")
        }
        process.executableURL = binary
        var env = ProcessInfo.processInfo.environment
        env["PM_DATA_DIR"] = dataDirectory.path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errorsFile)
    }

    deinit {
        try? FileManager.default.removeItem(at: errorsFile)
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// Starts the process and waits for its first `announcements` `ready <name> <kind>=<address>` lines;
    /// ``address`` is the first one's. A service that has not announced itself within `timeout` is
    /// killed (a cold start on two busy cores can take seconds).
    func start(timeout: Duration = .seconds(120), announcements: Int = 1) async throws {
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)  // closes stdout, which ends the reader below
        }
        let lines = await readyLines(from: output.fileHandleForReading, count: announcements)
        watchdog.cancel()
        guard let lines, let address = lines.first?.split(separator: "=").last else {
            process.terminate()
            throw ProcessError("\(name) did not announce readiness: \(stderrText())")
        }
        self.address = String(address)
        for line in lines {
            let announcement = line.split(separator: " ").last?.split(separator: "=", maxSplits: 1) ?? []
            if announcement.count == 2 { announced[String(announcement[0])] = String(announcement[1]) }
        }
    }

    /// Starts service `executable` on a port of its own, with its files in a subfolder of `folder` named
    /// after it (so a second start on the same folder is a restart), `token`, and `environment`.
    static func started(_ executable: String, folder: TemporaryFolder, token: String, environment: [String: String] = [:]) async throws
        -> ServiceProcess
    {
        let process = try ServiceProcess(
            executable: executable,
            environment: environment.merging([
                "\(executable.uppercased())_RPC_PORT": "0", "PM_RPC_TOKEN": token, "PM_DATA_DIR": "\(folder.path)/\(executable)",
                "PM_LOG_LEVEL": "error",
            ]) { _, fixed in fixed })
        try await process.start()
        return process
    }

    var host: String { String(address.split(separator: ":").first ?? "") }
    var port: Int { Int(address.split(separator: ":").last ?? "") ?? 0 }

    /// A client of the running service that sends `token` with every call.
    func rpcClient(token: String) -> RPCClient {
        RPCClient(
            configuration: .init(host: host, port: port, connectTimeout: testConnectTimeout),
            interceptors: [BearerTokenClientInterceptor(token: token)])
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate() async throws -> Int32 {
        process.terminate()
        let limit = Duration.seconds(120)
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            throw ProcessError("\(name) did not stop within \(limit) of SIGTERM")
        }
        return process.terminationStatus
    }

    func stderrText() -> String {
        (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
    }
}

/// Reads `handle` on a thread of its own until `count` lines starting with "ready " have arrived (nil if
/// the output ends first), then keeps draining it so the process never blocks on a full pipe.
func readyLines(from handle: FileHandle, count: Int) async -> [String]? {
    await onOwnThread { answer in
        var collected = Data()
        var answered = false
        while case let chunk = handle.availableData, !chunk.isEmpty {
            guard !answered else { continue }
            collected.append(chunk)
            let lines = String(decoding: collected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast()  // a line is whole once its newline has arrived
                .filter { $0.hasPrefix("ready ") }
            if lines.count >= count {
                answer(lines.prefix(count).map(String.init))
                answered = true
            }
        }
        if !answered { answer(nil) }
    }
}
