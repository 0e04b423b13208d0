import Foundation
import GRDB
import PMProto
import PMRPC
import PMServices
import RPCTesting
import Synchronization
import Testing

/// Ingest as a real process killed with SIGKILL in the middle of a load: nothing it acknowledged is lost.
@Suite("Ingest durability")
struct IngestDurabilityTests {
    static let token = "durability-token"

    static func startIngest(dataDirectory: String) async throws -> ServiceProcess {
        let process = try ServiceProcess(
            executable: "ingest",
            environment: [
                "INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": token, "PM_DATA_DIR": dataDirectory, "PM_LOG_LEVEL": "warning",
            ])
        try await process.start()
        return process
    }

    static func client(_ process: ServiceProcess) -> IngestServiceClient {
        IngestServiceClient(process.rpcClient(token: token))
    }

    @Test("every reading acknowledged before a SIGKILL is there after a restart")
    func killMidLoad() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("durability-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ingest = try await Self.startIngest(dataDirectory: folder)
        let client = Self.client(ingest)
        let acknowledged = SequenceSet()
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 86_400_000

        let loaders = (0..<8).map { loader in
            Task {
                var batch = 0
                while !Task.isCancelled {
                    let readings = (0..<50).map { index in
                        Reading(
                            equipmentID: Int64(index % 6 + 1), timestampMs: start + Int64(loader * 1_000_000 + batch * 50 + index),
                            temperature: 70, vibration: 2, pressure: 100, powerConsumption: 15, efficiency: 90
                        )
                    }
                    batch += 1
                    guard let response = try? await client.recordReadings(RecordReadingsRequest(readings: readings)) else {
                        try? await Task.sleep(for: .milliseconds(5))
                        continue
                    }
                    let sequences = response.results.filter { $0.outcome == .accepted }.map(\.sequence)
                    acknowledged.insert(sequences)
                }
            }
        }
        #expect(try await eventually(timeout: .seconds(60)) { acknowledged.count >= 5_000 })
        kill(ingest.process.processIdentifier, SIGKILL)
        #expect(try await eventually { !ingest.process.isRunning })
        for loader in loaders { loader.cancel() }
        for loader in loaders { await loader.value }
        await client.rpcClient.close()
        let acked = acknowledged.all

        // Restarted on the same files, the service reports at least everything it acknowledged.
        let restarted = try await Self.startIngest(dataDirectory: folder)
        let restartedClient = Self.client(restarted)
        let stats = try await restartedClient.readingStats(ReadingStatsRequest())
        #expect(stats.totalReadings >= UInt64(acked.count))
        #expect(stats.lastSequence >= acked.max() ?? 0)
        await restartedClient.rpcClient.close()
        #expect(try await restarted.terminate() == 0)

        // And each acknowledged reading is in the file.
        let stored = try await DatabaseQueue(path: "\(folder)/ingest.sqlite").read { db in
            try UInt64.fetchSet(db, sql: "SELECT sequence FROM readings")
        }
        let missing = acked.subtracting(stored)
        #expect(missing.isEmpty, "\(missing.count) of \(acked.count) acknowledged readings were lost")
    }
}

/// Sequences acknowledged to the concurrent loaders.
final class SequenceSet: Sendable {
    private let sequences = Mutex<Set<UInt64>>([])

    func insert(_ new: [UInt64]) { sequences.withLock { $0.formUnion(new) } }
    var count: Int { sequences.withLock { $0.count } }
    var all: Set<UInt64> { sequences.withLock { $0 } }
}
