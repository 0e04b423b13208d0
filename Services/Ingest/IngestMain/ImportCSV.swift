import ArgumentParser
import Foundation
import Ingest
import PMProto
import PMRPC
import PMServices
import ReadingFormats
import ServiceKit

/// Loads a CSV history file into a running Ingest through RecordReadings, e.g. to backfill a machine or
/// replay a public data set. Re-running it is harmless: readings already stored come back as duplicates.
struct ImportCSV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a CSV file of readings into a running Ingest (INGEST_RPC_HOST/PORT, PM_RPC_TOKEN)."
    )

    @Argument(help: "The CSV file; its header names the columns.")
    var file: String

    @Option(name: .customLong("equipment-id"), help: "The machine the readings belong to (else an equipment_id column).")
    var equipmentID: Int64?

    @Option(name: .customLong("column"), help: "Map a field to a CSV column, e.g. temperature=Temperature (repeatable).")
    var columns: [String] = []

    @Option(name: .customLong("constant"), help: "Fix a sensor with no column to a value, e.g. efficiency=90 (repeatable).")
    var constants: [String] = []

    @Option(help: "Readings per RecordReadings call.")
    var batchSize: Int = 1000

    func run() async throws {
        let parser = CSVReadingParser(
            equipmentID: equipmentID,
            columns: try Self.pairs(columns, option: "--column"),
            constants: try Self.pairs(constants, option: "--constant").mapValues { text in
                guard let value = Double(text) else { throw ValidationError("--constant values must be numbers") }
                return value
            }
        )
        let readings = try parser.parse(try String(contentsOfFile: file, encoding: .utf8))
        let ingest = try PeerConfiguration(service: "ingest", defaultPort: DefaultPorts.ingest, environment: .process)
        let rpcClient = ingest.makeClient()
        let client = IngestServiceClient(rpcClient)
        var accepted = 0
        var duplicates = 0
        var rejected = 0
        var reasons = [String: Int]()
        for start in stride(from: 0, to: readings.count, by: max(batchSize, 1)) {
            let batch = Array(readings[start..<min(start + batchSize, readings.count)])
            let response = try await client.recordReadings(RecordReadingsRequest(columns: ReadingColumns(batch)))
            accepted += Int(response.accepted)
            duplicates += Int(response.duplicates)
            rejected += Int(response.rejected)
            for result in response.results where result.outcome == .rejected {
                reasons["\(result.field): \(result.reason.prefix(80))", default: 0] += 1
            }
        }
        await rpcClient.close()
        print("imported \(readings.count) readings from \(file): \(accepted) accepted, \(duplicates) duplicates, \(rejected) rejected")
        for (reason, count) in reasons.sorted(by: { $0.value > $1.value }).prefix(5) {
            print("  \(count) × \(reason)")
        }
    }

    static func pairs(_ values: [String], option: String) throws -> [String: String] {
        try Dictionary(
            values.map { value in
                let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("\(option) takes field=value, got '\(value)'") }
                return (parts[0], parts[1])
            }, uniquingKeysWith: { _, last in last })
    }
}
