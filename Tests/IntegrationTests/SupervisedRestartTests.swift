import Foundation
import PMProto
import PMRPC
import PMServices
import ProcessTestSupport
import RPCTesting
import ServiceKit
import Synchronization
import Testing

/// `make run` starts every service under scripts/supervise.sh: a service that dies (here of SIGILL,
/// the signal of a Swift trap) comes back on its own, with everything it acknowledged.
@Suite("Supervised restart")
struct SupervisedRestartTests {
    static let token = "supervise-token"

    /// The supervisor with Ingest under it; its stdout and stderr go to files the test polls.
    final class Supervised: @unchecked Sendable {
        let process = Process()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("supervise-\(UUID().uuidString)")
        var output: URL { folder.appendingPathComponent("out.log") }
        var errors: URL { folder.appendingPathComponent("err.log") }

        init() throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            process.executableURL = Paths.packageRoot.appendingPathComponent("scripts/supervise.sh")
            process.arguments = ["ingest", Paths.binaries.appendingPathComponent("ingest").path]
            var environment = ProcessInfo.processInfo.environment
            environment["INGEST_RPC_PORT"] = "0"
            environment["PM_RPC_TOKEN"] = token
            environment["PM_DATA_DIR"] = folder.appendingPathComponent("data").path
            environment["PM_LOG_LEVEL"] = "warning"
            // A real trap's instruction faults again once the backtracer returns, and the process dies;
            // a SIGILL sent with kill(2) would just resume after the backtrace. Without the backtracer,
            // the signal kills the process the way a trap does.
            environment["SWIFT_BACKTRACE"] = "enable=no"
            process.environment = environment
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            try Self.runWithSignalsUnblocked(process)
        }

        /// Test threads (libdispatch's workers) block most signals, and a child inherits its spawning
        /// thread's mask: bash would then never run its SIGTERM trap. The supervisor is started from a
        /// thread of its own with every signal unblocked, as from a terminal under `make run`.
        private static func runWithSignalsUnblocked(_ process: Process) throws {
            let result = Mutex<Result<Void, any Error>>(.success(()))
            let started = DispatchSemaphore(value: 0)
            Thread {
                var none = sigset_t()
                sigemptyset(&none)
                pthread_sigmask(SIG_SETMASK, &none, nil)
                result.withLock { $0 = Result { try process.run() } }
                started.signal()
            }.start()
            started.wait()  // as long as a fork and exec take
            try result.withLock { $0 }.get()
        }

        deinit {
            // Stops the supervisor (and, through it, the service) if the test ended early.
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: folder)
        }

        private func lines(_ file: URL, prefix: String) -> [String] {
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
        }

        /// The addresses of each start's `ready ingest rpc=<address>` line, in order.
        var readyAddresses: [String] { lines(output, prefix: "ready ").compactMap { $0.split(separator: "=").last.map(String.init) } }
        /// The pid of each start, from the supervisor's `supervise: ingest started (pid N)` lines.
        var startedPIDs: [pid_t] {
            lines(errors, prefix: "supervise: ingest started").compactMap { line in
                line.split(separator: " ").last.flatMap { pid_t($0.dropLast()) }
            }
        }
        var supervisorLog: String { lines(errors, prefix: "supervise:").joined(separator: "\n") }

        func client(_ address: String) -> IngestServiceClient {
            let parts = address.split(separator: ":")
            return IngestServiceClient(
                RPCClient(
                    configuration: .init(host: String(parts[0]), port: Int(parts[1])!),
                    interceptors: [BearerTokenClientInterceptor(token: SupervisedRestartTests.token)]))
        }
    }

    @Test("a service killed with SIGILL is restarted, and its acknowledged readings are there")
    func restartAfterATrap() async throws {
        let supervised = try Supervised()
        #expect(try await eventually(timeout: .seconds(60)) { supervised.readyAddresses.count == 1 })
        let first = supervised.client(try #require(supervised.readyAddresses.first))
        let start = WallClock.nowMs() - 3_600_000
        let readings = (0..<200).map { index in
            Reading(
                equipmentID: 1, timestampMs: start + Int64(index) * 1000, temperature: 70, vibration: 2, pressure: 100,
                powerConsumption: 15,
                efficiency: 90, readingID: "supervised-\(index)")
        }
        let response = try await first.recordReadings(RecordReadingsRequest(readings: readings))
        #expect(response.accepted == 200)
        await first.rpcClient.close()

        let crashed = try #require(supervised.startedPIDs.first)
        kill(crashed, SIGILL)
        #expect(try await eventually(timeout: .seconds(90)) { supervised.readyAddresses.count == 2 }, "\(supervised.supervisorLog)")
        #expect(supervised.supervisorLog.contains("ingest (pid \(crashed)) died of signal ILL"))
        #expect(kill(crashed, 0) != 0)

        let second = supervised.client(try #require(supervised.readyAddresses.dropFirst().first))
        let stored = try await second.queryReadings(
            QueryReadingsRequest(equipmentID: 1, fromMs: start, toMs: start + 200_000, limit: 1000))
        #expect(Set(stored.readings.map(\.readingID)) == Set(readings.map(\.readingID)))
        await second.rpcClient.close()

        // SIGTERM stops the supervisor for good: the service drains and exits 0, and nothing restarts.
        let restarted = try #require(supervised.startedPIDs.last)
        supervised.process.terminate()
        #expect(try await eventually { !supervised.process.isRunning })
        #expect(supervised.process.terminationStatus == 0)
        #expect(kill(restarted, 0) != 0)
        #expect(supervised.startedPIDs.count == 2)
    }
}
