import Foundation
import ProcessTestSupport
import Testing

/// Our seed detector (`detection backtest --detector seed`) against the seed's own reference server
/// (../shared/seedref/app.py: FastAPI + scikit-learn), which Tests/Tools/seedref_parity.py starts in the
/// test venv and feeds the same 400 readings of one machine, 12 of them injected anomalies. The two
/// forests draw different random numbers, so the flags are compared statistically. Both sides are
/// deterministic (fixed data seed, random_state 42), so the outcome never varies between runs.
@Suite("Seed-mode detection parity with the seed's reference server")
struct SeedParityTests {
    struct Summary: Decodable {
        struct Start: Decodable {
            let seed: Int
            let ours: Int
        }
        let readings: Int
        let seedFlagged: Int
        let oursFlagged: Int
        let agreement: Double
        let injected: [Int]
        let injectedFlaggedBySeed: Int
        let injectedFlaggedByOurs: Int
        let bothModelStart: Start
        let seedHealthyFlagRate: Double
        let oursHealthyFlagRate: Double
    }

    @Test("the seed detector starts, flags and alarms like the seed's own scikit-learn server on the same readings")
    func matchesTheSeedReference() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seedref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let detection = Paths.binaries.appendingPathComponent("detection").path
        let result = try await run(try Paths.testPython(), [Paths.tool("seedref_parity.py"), detection, folder.path])
        try #require(result.status == 0, "\(result.errors)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let summary = try decoder.decode(Summary.self, from: Data(result.output.utf8))
        print("seed-mode parity: \(result.output)")

        // The first model is trained on the 50th reading, which it then scores.
        #expect(summary.bothModelStart.seed == 49)
        #expect(summary.bothModelStart.ours == 49)
        #expect(summary.injectedFlaggedBySeed == summary.injected.count)
        #expect(summary.injectedFlaggedByOurs == summary.injected.count)
        // Measured on ten data seeds, an exact re-implementation that only draws other random numbers
        // (ours, and scikit-learn itself with random_state 0...3, 7 instead of 42) agrees with the
        // server on 0.93-0.98 of the readings (0.95-0.965 on this stream), and its share of flagged
        // healthy readings is within 0.044 of the server's (0.003-0.018 on this stream). On this stream
        // contamination 0.15 agrees on 0.91 (+0.09 flagged), 0.2 on 0.85 (+0.18), 0.05 flags 0.05
        // fewer, and a model never retrained agrees on 0.87 (+0.15): the bounds below catch all four.
        // A retraining cadence of 25-100 readings instead of 50 shifts both figures no more than other
        // random numbers do; only the first training (the start above) shows it on stationary readings.
        #expect(
            summary.agreement >= 0.93,
            "\(summary.seedFlagged) of \(summary.readings) readings flagged by the seed, \(summary.oursFlagged) by ours")
        #expect(
            abs(summary.oursHealthyFlagRate - summary.seedHealthyFlagRate) <= 0.04,
            "healthy readings flagged: ours \(summary.oursHealthyFlagRate), the seed's \(summary.seedHealthyFlagRate)")
    }
}
