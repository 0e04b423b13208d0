import Detectors
import Foundation
import PMMath
import ServiceKit

/// Our Isolation Forest's fit (200×5, 100 trees) and score of one reading, timed like
/// ../shared/bench/iforest_sklearn.py times scikit-learn's (median of repeats), and the ratios.
enum ForestTiming {
    static let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)

    static func run() async throws {
        var random = SeededRandom(seed: 1)
        let means = [70.0, 2.5, 100.0, 50.0, 92.0]
        let scales = [3.0, 0.3, 5.0, 3.0, 2.0]
        let rows = (0..<200).flatMap { _ in (0..<5).map { means[$0] + scales[$0] * random.gaussian() } }
        let scaler = StandardScaler(rows: rows, featureCount: 5)
        let scaled = scaler.transform(rows)
        // scikit-learn's fit with a contamination also scores the training rows for offset_: so does this.
        let fit = median(repeats: 50) {
            let fitted = IsolationForest.fittedWithTrainingScores(rows: scaled, featureCount: 5, trees: 100, seed: 42)
            _ = Quantile.of(fitted.scores, 0.1)
        }
        let forest = IsolationForest(rows: scaled, featureCount: 5, trees: 100, seed: 42)
        let one = scaler.transform((0..<5).map { means[$0] + scales[$0] * random.gaussian() })
        var sink = 0.0
        let score = median(repeats: 200, batch: 1000) { sink += forest.scoreSample(one) }
        var seed = SeedDetector(featureCount: 5)
        for index in 0..<200 { _ = seed.observe(Array(rows[index * 5..<index * 5 + 5])) }
        let raw = (0..<5).map { means[$0] + scales[$0] * random.gaussian() }
        let perReading = median(repeats: 200, batch: 1000) { sink += seed.judge(raw).score }
        print(
            String(
                format:
                    "Isolation Forest (Swift): fit 200x5, 100 trees, with offset_ %.3f ms; score_samples of 1 row %.2f µs; the seed's per-reading step %.2f µs (checksum %.1f)",
                fit * 1000, score * 1e6, perReading * 1e6, sink))

        guard let sklearn = try sklearnTimings() else { return }
        if let theirs = sklearn["fit/200"] {
            print(String(format: "  scikit-learn fit 200x5: %.3f ms -> Swift %.0fx faster", theirs, theirs / (fit * 1000)))
        }
        if let theirs = sklearn["score_samples/1"] {
            print(String(format: "  scikit-learn score_samples(1 row): %.3f ms -> Swift %.0fx faster", theirs, theirs / (score * 1000)))
        }
        if let theirs = sklearn.first(where: { $0.key.hasPrefix("seed_per_reading") })?.value {
            print(
                String(
                    format: "  scikit-learn transform+predict+score_samples: %.3f ms -> Swift %.0fx faster", theirs,
                    theirs / (perReading * 1000)))
        }
    }

    /// Median seconds per call of `body`, over `repeats` timings of `batch` calls each.
    static func median(repeats: Int, batch: Int = 1, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            for _ in 0..<batch { body() }
            let elapsed = ContinuousClock.now - start
            times.append(elapsed.inSeconds)
        }
        return Quantile.of(times, 0.5) / Double(batch)
    }

    /// scikit-learn's medians in ms by "bench/rows", from the test venv's Python; nil (with a note)
    /// when the venv or the script is missing.
    static func sklearnTimings() throws -> [String: Double]? {
        let python = root.appendingPathComponent(".venv-test/bin/python").path
        let script = root.appendingPathComponent("../shared/bench/iforest_sklearn.py").standardized.path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else {
            print("  (scikit-learn side skipped: run scripts/python-venv.sh for \(python), and ../shared/bench must exist)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--repeats-scale", "0.5"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var timings: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let bench = object["bench"] as? String, let rows = object["rows"] as? Int, let median = object["median_ms"] as? Double
            else { continue }
            timings["\(bench)/\(rows)"] = median
        }
        return timings
    }
}
