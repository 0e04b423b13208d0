import ArgumentParser
import Foundation
import GRDB
import Ingest
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import ServiceStorage

/// Prints Ingest's persisted readings/s through RecordReadings beside a raw GRDB batched insert of the
/// same rows measured in the same run, and the latency of "last 200 readings of a machine" at scale.
@main
struct IngestBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest-bench")

    @Option(help: "Seconds measured per RecordReadings configuration.")
    var seconds: Double = 3

    @Option(help: "Rows stored before measuring the last-200 query.")
    var rows: Int = 10_000_000

    @Option(help: "Which parts to run: any of ingest, query (comma-separated).")
    var parts: String = "ingest,query"

    @Option(help: "Batch sizes for the ingest part (comma-separated).")
    var batches: String = "1,100,1000"

    @Option(help: "SQLite synchronous setting for the ingest part: full (the default of Ingest) or normal.")
    var synchronous: String = "full"

    func run() async throws {
        let selected = Set(parts.split(separator: ",").map(String.init))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard let durability = SQLiteDurability(rawValue: synchronous) else {
            throw ValidationError("--synchronous must be full or normal")
        }
        print("ingest-bench: SQLite WAL, synchronous=\(synchronous.uppercased()), files in \(folder)")
        if selected.contains("ingest") { try await measureIngest(folder: "\(folder)/ingest", durability: durability) }
        if selected.contains("query") { try await measureQuery(folder: "\(folder)/query") }
    }

    // MARK: RecordReadings vs raw insert

    func measureIngest(folder: String, durability: SQLiteDurability) async throws {
        let raw = try RawInsert.rowsPerSecond(folder: "\(folder)/raw", rows: 200_000, batch: 1000, durability: durability)
        print(String(format: "\nraw GRDB batched insert (1,000 rows per transaction, prepared statement): %.0f rows/s", raw))
        try await Self.withIngest(folder: "\(folder)/service", durability: durability) { client in
            for batch in batches.split(separator: ",").compactMap({ Int($0) }) {
                for callers in [1, 16] {
                    let rate = try await Self.recordRate(client, batch: batch, callers: callers, seconds: seconds)
                    print(
                        String(
                            format: "RecordReadings batch %4d, %2d callers: %9.0f readings/s = %5.1f%% of raw, %7.0f calls/s",
                            batch, callers, rate, 100 * rate / raw, rate / Double(batch)))
                }
            }
        }
    }

    /// Runs Ingest in-process on `folder` while `body` uses it.
    static func withIngest(
        folder: String,
        durability: SQLiteDurability = .full,
        _ body: @Sendable (IngestServiceClient) async throws -> Void
    ) async throws {
        var logger = Logger(label: "ingest-bench")
        logger.logLevel = .warning
        var ingest = IngestConfiguration.forTesting(directory: folder, demoFleet: true)
        ingest.maxPendingReadings = 1_000_000
        ingest.durability = durability
        try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
        } _: { running in
            try await body(IngestServiceClient(running.client))
        }
    }

    /// Persisted readings per second with `callers` concurrent callers sending batches of `batch` on one
    /// connection. (One connection per caller measured slower here: more cross-loop wake-ups.)
    static func recordRate(_ client: IngestServiceClient, batch: Int, callers: Int, seconds: Double) async throws -> Double {
        // Every configuration writes its own, earlier stretch of time: (machine, timestamp) stays unique.
        let configuration = Int64(batch % 1000 / 100 + batch / 1000 * 3) * 2 + (callers > 1 ? 1 : 0)
        let base = Int64(Date().timeIntervalSince1970 * 1000) - 30 * 86_400_000 + configuration * 2 * 86_400_000
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var accepted = 0
                    var call = 0
                    while ContinuousClock.now < end {
                        let readings = (0..<batch).map { index in
                            Reading(
                                equipmentID: Int64(index % 6 + 1),
                                timestampMs: base + Int64(caller) * 5_000_000 + Int64(call * batch + index),
                                temperature: 70, vibration: 2.3, pressure: 101, powerConsumption: 15, efficiency: 91
                            )
                        }
                        call += 1
                        let response = try await client.recordReadings(RecordReadingsRequest(columns: ReadingColumns(readings)))
                        precondition(response.accepted == batch, "the benchmark must write new readings only")
                        accepted += Int(response.accepted)
                    }
                    return accepted
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(accepted) / (ContinuousClock.now - start).inSeconds
    }

    // MARK: last 200 of a machine at scale

    func measureQuery(folder: String) async throws {
        let machines = 50
        let fillStart = ContinuousClock.now
        try RawInsert.fill(folder: folder, rows: rows, machines: machines)
        print(String(format: "\nfilled %d rows over %d machines in %.0f s", rows, machines, (ContinuousClock.now - fillStart).inSeconds))
        try await Self.withIngest(folder: folder) { client in
            var samples = [Duration]()
            for index in 0..<2000 {
                let request = QueryReadingsRequest(equipmentID: Int64(index % machines + 1), limit: 200, newestFirst: true)
                let start = ContinuousClock.now
                let response = try await client.queryReadings(request)
                samples.append(ContinuousClock.now - start)
                precondition(response.readings.count == 200)
            }
            samples.sort()
            print(
                String(
                    format: "QueryReadings last 200 of a machine (RPC, %d rows stored): p50 %.2f ms, p99 %.2f ms",
                    rows, samples[samples.count / 2].inSeconds * 1e3, samples[samples.count * 99 / 100].inSeconds * 1e3))
        }
    }
}

/// The reference: the same rows through one prepared statement, 1,000 per transaction, same schema and pragmas.
enum RawInsert {
    static func rowsPerSecond(folder: String, rows: Int, batch: Int, durability: SQLiteDurability) throws -> Double {
        var configuration = IngestConfiguration.forTesting(directory: folder, demoFleet: true)
        configuration.durability = durability
        let storage = try IngestDatabase.open(configuration)
        let database = storage.pool
        let base = Int64(Date().timeIntervalSince1970 * 1000) - 30 * 86_400_000
        let start = ContinuousClock.now
        for first in stride(from: 0, to: rows, by: batch) {
            try database.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO readings
                        (equipment_id, timestamp_ms, temperature, vibration, pressure, power_consumption, efficiency, reading_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for index in first..<min(first + batch, rows) {
                    try statement.execute(arguments: [index % 6 + 1, base + Int64(index), 70.0, 2.3, 101.0, 15.0, 91.0, nil])
                }
            }
        }
        return Double(rows) / (ContinuousClock.now - start).inSeconds
    }

    /// `rows` readings spread over `machines` machines, one a second each, registered machines included.
    static func fill(folder: String, rows: Int, machines: Int) throws {
        let storage = try IngestDatabase.open(IngestConfiguration.forTesting(directory: folder, demoFleet: false))
        let database = storage.pool
        let base = Int64(Date().timeIntervalSince1970 * 1000) - Int64(rows / machines + 10) * 1000
        try database.write { db in
            for machine in 1...machines {
                try db.execute(
                    sql: "INSERT INTO equipment VALUES (?, ?, 'pump', '', '', '', 1, 0, 0)", arguments: [machine, "Machine \(machine)"]
                )
            }
        }
        let chunk = 20_000
        for first in stride(from: 0, to: rows, by: chunk) {
            try database.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO readings (equipment_id, timestamp_ms, temperature, vibration, pressure, power_consumption, efficiency)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """)
                for index in first..<min(first + chunk, rows) {
                    try statement.execute(arguments: [
                        index % machines + 1, base + Int64(index / machines) * 1000, 70.0, 2.3, 101.0, 15.0, 91.0,
                    ])
                }
                try db.execute(sql: "UPDATE counters SET value = value + ? WHERE name = 'readings'", arguments: [min(chunk, rows - first)])
            }
        }
    }
}
