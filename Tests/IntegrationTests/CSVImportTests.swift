import Foundation
import ProcessTestSupport
import Testing

/// `ingest import` as a user runs it: a CSV file into a running Ingest process, twice.
@Suite("CSV import command")
struct CSVImportTests {
    @Test("imports a history file, reports rejected lines, and stores nothing twice when re-run")
    func importTwice() async throws {
        let token = "import-token"
        let ingest = try ServiceProcess(executable: "ingest", environment: ["INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": token])
        try await ingest.start()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        var csv = "timestamp,temperature,vibration,pressure,power_consumption,efficiency\n"
        let start = Int64(Date().timeIntervalSince1970) - 86_400
        for index in 0..<250 {
            csv += "\(start + Int64(index) * 60),\(60 + Double(index % 10)),2.5,101,15,\(index == 7 ? 250 : 90)\n"
        }
        try csv.write(to: file, atomically: true, encoding: .utf8)

        let binary = Paths.binaries.appendingPathComponent("ingest").path
        let environment = ["INGEST_RPC_PORT=\(ingest.port)", "PM_RPC_TOKEN=\(token)"]
        let first = try await run("env", environment + [binary, "import", file.path, "--equipment-id", "2", "--batch-size", "100"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("imported 250 readings"))
        #expect(first.output.contains("249 accepted, 0 duplicates, 1 rejected"))
        #expect(first.output.contains("efficiency: 250.0 is outside the plausible range"))

        let second = try await run("env", environment + [binary, "import", file.path, "--equipment-id", "2"])
        #expect(second.output.contains("0 accepted, 249 duplicates, 1 rejected"))

        let missingColumn = try await run(
            "env", environment + [binary, "import", file.path, "--equipment-id", "2", "--column", "vibration=Accel"])
        #expect(missingColumn.status != 0)
        #expect(missingColumn.errors.contains("no column 'Accel' for vibration"))
        #expect(try await ingest.terminate() == 0)
    }
}
