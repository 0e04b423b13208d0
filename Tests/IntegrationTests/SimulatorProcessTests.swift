import Foundation
import PMProto
import PMRPC
import PMServices
import ProcessTestSupport
import Testing

/// The `simulator` executable against a real Ingest process.
@Suite("Simulator executable")
struct SimulatorProcessTests {
    @Test("backfills history into Ingest, writes the ground truth file, and exits 0 when its duration ends")
    func backfillAndStop() async throws {
        let token = "simulator-token"
        let ingest = try ServiceProcess(executable: "ingest", environment: ["INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": token])
        try await ingest.start()
        let truth = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: truth) }
        let simulator = Paths.binaries.appendingPathComponent("simulator").path
        let result = try await run(
            "env",
            [
                "INGEST_RPC_PORT=\(ingest.port)", "PM_RPC_TOKEN=\(token)", "PM_LOG_LEVEL=warning", simulator,
                "--backfill-hours", "2", "--rate", "0.5", "--faults-per-day", "48", "--duration-seconds", "1",
                "--seed", "11", "--truth-file", truth.path,
            ])
        #expect(result.status == 0, "\(result.errors)")

        let client = IngestServiceClient(ingest.rpcClient(token: token))
        let stats = try await client.readingStats(ReadingStatsRequest())
        // Two hours at one reading per two seconds, for the six demo machines.
        #expect(stats.totalReadings >= 6 * 3600)
        let latest = try await client.latestReadings(LatestReadingsRequest()).readings
        #expect(Set(latest.map(\.equipmentID)) == Set(1...6))
        await client.rpcClient.close()
        #expect(try String(contentsOf: truth, encoding: .utf8).hasPrefix("equipment_id,kind,start_ms,end_ms,start,end\n"))
        #expect(try await ingest.terminate() == 0)
    }
}
