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
        // Bounds measured on this stream with scikit-learn itself. An exact re-implementation that only
        // draws other random numbers (40 random_states other than 42) agrees with the server on
        // 0.930-0.973 of the readings (mean 0.955, sd 0.008) and flags -0.003 to +0.053 more of the
        // healthy ones (mean +0.020, sd 0.012: the server's own forest happens to flag few here); the
        // bounds pass all 40, each by 3 sd or more. Over 20-40 draws each, these bounds failed every
        // contamination 0.05 (0.032-0.062 fewer flagged), 0.15 (+0.065 to +0.118) and 0.2 (+0.14 to
        // +0.18, agreement 0.85-0.88), and every model never retrained (agreement 0.83-0.92, +0.06 to
        // +0.20). Contamination 0.08 or 0.12, or retraining every 25 or 100 readings instead of 50,
        // stays within what other random numbers do on stationary readings: the start above checks
        // the first training.
        #expect(
            summary.agreement >= 0.92,
            "\(summary.seedFlagged) of \(summary.readings) readings flagged by the seed, \(summary.oursFlagged) by ours")
        let moreFlagged = summary.oursHealthyFlagRate - summary.seedHealthyFlagRate
        #expect(
            (-0.03...0.06).contains(moreFlagged),
            "healthy readings flagged: ours \(summary.oursHealthyFlagRate), the seed's \(summary.seedHealthyFlagRate)")
    }
}
