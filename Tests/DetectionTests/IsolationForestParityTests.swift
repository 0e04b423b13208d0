import Detectors
import Foundation
import ProcessTestSupport
import Testing

/// Our Isolation Forest against scikit-learn's, which Tests/Tools/iforest_parity.py runs in the test
/// venv on the same data and splits.
@Suite("Isolation Forest parity with scikit-learn")
struct IsolationForestParityTests {
    static let odds = Paths.packageRoot.appendingPathComponent("../shared/data/odds_adbench").standardized

    static func rows(_ path: String) throws -> [[Double]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            line.split(separator: " ").map { Double($0)! }
        }
    }

    struct Split: Decodable {
        let seed: UInt64
        let train: [Int]
        let test: [Int]
        let auc: Double
    }

    @Test(
        "mean ROC AUC over ten 60/40 splits within 0.01 of scikit-learn's",
        arguments: ["6_cardio", "31_satimage-2", "38_thyroid"])
    func oddsParity(dataset: String) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = Self.odds.appendingPathComponent("\(dataset).npz").path
        let checker = try await run(try Paths.testPython(), [Paths.tool("iforest_parity.py"), "odds", file, folder.path])
        try #require(checker.status == 0, "\(checker.errors)")

        let rows = try Self.rows(folder.appendingPathComponent("X.txt").path)
        let labels = try String(contentsOf: folder.appendingPathComponent("y.txt"), encoding: .utf8).split(separator: "\n").map {
            $0 == "1"
        }
        let splits = try JSONDecoder().decode([Split].self, from: Data(contentsOf: folder.appendingPathComponent("splits.json")))
        let featureCount = rows[0].count
        var ours: [Double] = []
        for split in splits {
            let forest = IsolationForest(rows: split.train.flatMap { rows[$0] }, featureCount: featureCount, seed: split.seed)
            let scores = split.test.map { -forest.scoreSample(rows[$0]) }
            ours.append(try #require(DetectionMetrics.rocAUC(scores: scores, labels: split.test.map { labels[$0] })))
        }
        let ourMean = ours.reduce(0, +) / Double(ours.count)
        let theirMean = splits.map(\.auc).reduce(0, +) / Double(splits.count)
        print("Isolation Forest ROC AUC on \(dataset): ours \(ourMean), scikit-learn \(theirMean)")
        #expect(abs(ourMean - theirMean) <= 0.01, "ours \(ourMean), scikit-learn \(theirMean)")
    }

    @Test("per-row scores correlate with scikit-learn's at 0.98 or more with 500 trees")
    func scoreCorrelation() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checker = try await run(try Paths.testPython(), [Paths.tool("iforest_parity.py"), "random", folder.path])
        try #require(checker.status == 0, "\(checker.errors)")
        let train = try Self.rows(folder.appendingPathComponent("train.txt").path)
        let test = try Self.rows(folder.appendingPathComponent("test.txt").path)
        let theirs = try String(contentsOf: folder.appendingPathComponent("scores.txt"), encoding: .utf8).split(separator: "\n").map {
            Double($0)!
        }
        let forest = IsolationForest(rows: train.flatMap { $0 }, featureCount: train[0].count, trees: 500, seed: 1)
        let ours = test.map { forest.scoreSample($0) }
        let correlation = Self.pearson(ours, theirs)
        print("Isolation Forest score correlation with scikit-learn (500 trees): \(correlation)")
        #expect(correlation >= 0.98)
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let meanX = x.reduce(0, +) / Double(x.count)
        let meanY = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - meanX) * (b - meanY)
            sxx += (a - meanX) * (a - meanX)
            syy += (b - meanY) * (b - meanY)
        }
        return sxy / (sxx * syy).squareRoot()
    }
}
