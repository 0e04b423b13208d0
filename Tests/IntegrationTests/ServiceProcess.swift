import Foundation
import PMRPC
import Testing

/// Paths the integration tests need, relative to this file.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder `swift build` put the executables in (the same one `swift test` built into).
    static var binaries: URL {
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("ingest").path) }
            ?? candidates[1]
    }
}

/// A service executable started for a test, with port 0, and the address it announced on stdout.
final class ServiceProcess: @unchecked Sendable {
    // Mutable state is only touched by the test that owns the process.
    let process = Process()
    let name: String
    private(set) var address = ""
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

    /// Starts the process and waits for its `ready <name> <kind>=<address>` line. A service that has
    /// not announced itself within `timeout` is killed (a cold start on two busy cores can take seconds).
    func start(timeout: Duration = .seconds(60)) async throws {
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)  // closes stdout, which ends the reader below
        }
        let line = await readyLine(from: output.fileHandleForReading)
        watchdog.cancel()
        guard let line, let address = line.split(separator: "=").last else {
            process.terminate()
            throw ProcessError("\(name) did not announce readiness: \(stderrText())")
        }
        self.address = String(address)
    }

    var host: String { String(address.split(separator: ":").first ?? "") }
    var port: Int { Int(address.split(separator: ":").last ?? "") ?? 0 }

    /// A client of the running service that sends `token` with every call.
    func rpcClient(token: String) -> RPCClient {
        RPCClient(configuration: .init(host: host, port: port), interceptors: [BearerTokenClientInterceptor(token: token)])
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate() async throws -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            throw ProcessError("\(name) did not stop within 15 s of SIGTERM")
        }
        return process.terminationStatus
    }

    func stderrText() -> String {
        (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
    }
}

struct ProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads `handle` on a thread of its own until a line starting with "ready " arrives (nil if the
/// output ends first), then keeps draining it so the process never blocks on a full pipe.
func readyLine(from handle: FileHandle) async -> String? {
    await onOwnThread { answer in
        var collected = Data()
        var answered = false
        while case let chunk = handle.availableData, !chunk.isEmpty {
            guard !answered else { continue }
            collected.append(chunk)
            if let line = String(decoding: collected, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix("ready ") }) {
                answer(String(line))
                answered = true
            }
        }
        if !answered { answer(nil) }
    }
}

/// Runs `work` on a new thread and returns what it hands to its `answer` callback (exactly once).
///
/// Blocking calls (pipe reads, waiting for a child process) must never run on Swift concurrency's
/// cooperative pool: it has one thread per core, two on CI, so one blocked read starves every other
/// test running beside it, and their deadlines then expire for no fault of the code under test.
func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable (_ answer: @Sendable (Value) -> Void) -> Void) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { work { continuation.resume(returning: $0) } }.start()
    }
}

/// Runs a command to completion and returns its exit status and standard output, reading both
/// outputs at once (a child that fills one pipe while we wait on the other would never finish).
func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    async let out = onOwnThread { $0(output.fileHandleForReading.readDataToEndOfFile()) }
    async let err = onOwnThread { $0(errors.fileHandleForReading.readDataToEndOfFile()) }
    let (outData, errData) = await (out, err)
    let status = await onOwnThread { answer in
        process.waitUntilExit()
        answer(process.terminationStatus)
    }
    return (status, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
