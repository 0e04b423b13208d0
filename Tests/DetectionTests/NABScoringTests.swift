import Detectors
import Foundation
import ProcessTestSupport
import Testing

/// NAB's scoring on hand-made windows, and against NAB's published results
/// (`../shared/data/nab/results`: per detector and file the score, threshold and row counts; the
/// per-row detections are not published there, so the check finds detections that the counts allow
/// and that our scorer scores as NAB did, to the precision NAB printed).
@Suite("NAB scoring")
struct NABScoringTests {
    static let nab = Paths.packageRoot.appendingPathComponent("../shared/data/nab").standardized.path
    static let files = [
        "ambient_temperature_system_failure", "cpu_utilization_asg_misconfiguration", "ec2_request_latency_system_failure", "nyc_taxi",
        "rogue_agent_key_hold", "rogue_agent_key_updown",
    ]

    /// 1,000 rows, 150 probationary, windows 400...499 and 900...949.
    static let scoring = NABScoring(rowCount: 1000, windows: [.init(first: 400, last: 499), .init(first: 900, last: 949)])

    @Test("a detection at a window's first row scores A_TP, halfway about 0.86, at its last row about 0; only the earliest counts")
    func truePositives() {
        let scoring = Self.scoring
        #expect(abs(scoring.score(detectionRows: [400, 900]).raw - 2) < 1e-12)
        // The second window is missed: −A_FN.
        let halfway = scoring.score(detectionRows: [450]).raw + 1
        #expect(abs(halfway - NABScoring.scaledSigmoid(-0.5) / NABScoring.scaledSigmoid(-1)) < 1e-12)
        #expect(abs(halfway - 0.8598) < 1e-3)
        let last = scoring.score(detectionRows: [499]).raw + 1
        #expect(last > 0 && last < 0.03)
        let early = scoring.score(detectionRows: [420])
        #expect(scoring.score(detectionRows: [420, 450, 499]).raw == early.raw)
        #expect(early.detectedWindows == 1 && early.windows == 2)
    }

    @Test("a missed window costs A_FN: no detections at all scores the null score, −A_FN per window")
    func falseNegatives() {
        let none = Self.scoring.score(detections: Array(repeating: false, count: 1000))
        #expect(none.raw == -2 && none.null == -2 && none.perfect == 2)
        #expect(none.falseNegatives == 150 && none.trueNegatives == 700 && none.detectedWindows == 0)
    }

    @Test("false positives: −A_FP before any window or three widths past one, less right after a window, nothing in probation")
    func falsePositives() {
        let scoring = Self.scoring
        let missed = -2.0
        #expect(abs(scoring.score(detectionRows: [200]).raw - (missed - 0.11)) < 1e-12)
        #expect(abs(scoring.score(detectionRows: [499 + 3 * 99]).raw - (missed - 0.11)) < 1e-12)
        let justAfter = scoring.score(detectionRows: [500]).raw - missed
        #expect(abs(justAfter - 0.11 * NABScoring.scaledSigmoid(1.0 / 99)) < 1e-12)
        #expect(justAfter < 0 && justAfter > -0.01)
        let probation = scoring.score(detectionRows: [100])
        #expect(probation.raw == missed && probation.falsePositives == 0)
        // Each detection row outside a window counts: a lasting alarm is many false positives unless cut to its start.
        #expect(abs(scoring.score(detectionRows: 200..<210).raw - (missed - 1.1)) < 1e-12)
        #expect(NABScoring.alarmStarts([false, true, true, false, true, true, true]) == [false, true, false, false, true, false, false])
    }

    @Test("normalised: null 0, perfect 100; a corpus normalises the sums of raw, null and perfect")
    func normalisation() throws {
        let scoring = Self.scoring
        #expect(scoring.score(detectionRows: []).normalised == 0)
        #expect(try #require(scoring.score(detectionRows: [400, 900]).normalised) == 100)
        let half = scoring.score(detectionRows: [400])
        #expect(half.normalised == 50)
        let other = NABScoring(rowCount: 1000, windows: [.init(first: 600, last: 699)]).score(detectionRows: [])
        let corpus = half + other
        #expect(corpus.raw == -1 && corpus.null == -3 && corpus.perfect == 3)
        #expect(abs(try #require(corpus.normalised) - 100.0 / 3) < 1e-12)
        #expect(NABScoring(rowCount: 10, windows: []).score(detectionRows: [5]).normalised == nil)
        #expect(NABScoring.probationaryLength(rowCount: 4032) == 604 && NABScoring.probationaryLength(rowCount: 7267) == 750)
    }

    @Test("the standard profile is config/profiles.json's")
    func standardProfile() throws {
        #expect(try NABScoring.Profile.read("\(Self.nab)/config/profiles.json") == .standard)
    }

    // MARK: Against NAB's published results

    /// A row of `results/<detector>/<detector>_standard_scores.csv`.
    struct Published {
        let detector: String
        let file: String
        let score: Double
        let truePositives, trueNegatives, falsePositives, falseNegatives: Int
    }

    static func published(_ detector: String) throws -> [Published] {
        let text = try String(contentsOfFile: "\(nab)/results/\(detector)/\(detector)_standard_scores.csv", encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Published(
                detector: fields[0], file: fields[2], score: Double(fields[4])!, truePositives: Int(fields[5]) ?? 0,
                trueNegatives: Int(fields[6]) ?? 0, falsePositives: Int(fields[7]) ?? 0, falseNegatives: Int(fields[8]) ?? 0)
        }
    }

    static func scoring(_ file: String) throws -> NABScoring {
        try NABScoring(file: "\(nab)/data/realKnownCause/\(file).csv", labelsPath: "\(nab)/labels/combined_windows.json")
    }

    /// Every published detector but `random`, whose score file is of another run (32 files, rows that
    /// do not add up to the files').
    static func detectors() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(nab)/results").filter {
            $0 != "random" && FileManager.default.fileExists(atPath: "\(nab)/results/\($0)/\($0)_standard_scores.csv")
        }.sorted()
    }

    @Test(
        "per file: the rows scored in and outside windows are NAB's, and nothing detected scores as NAB's null detector", arguments: files)
    func rowsAndNull(file: String) throws {
        let scoring = try Self.scoring(file)
        let none = scoring.score(detectionRows: [])
        let detectors = try Self.detectors()
        #expect(detectors.count == 15)
        for detector in detectors {
            let published = try #require(try Self.published(detector).first { $0.file == "realKnownCause/\(file).csv" })
            #expect(published.truePositives + published.falseNegatives == none.falseNegatives, "\(detector)")
            #expect(published.trueNegatives + published.falsePositives == none.trueNegatives, "\(detector)")
            if detector == "null" { #expect(published.score == none.raw) }
        }
    }

    /// The published scores of files whose detections the counts pin down: at most two false positives
    /// and three windows (more leave so many combinations that one matches by chance).
    static let reproducible = [
        ("ARTime", "ambient_temperature_system_failure"), ("contextOSE", "ambient_temperature_system_failure"),
        ("contextOSE", "ec2_request_latency_system_failure"), ("contextOSE", "rogue_agent_key_hold"),
        ("earthgeckoSkyline", "ambient_temperature_system_failure"), ("earthgeckoSkyline", "ec2_request_latency_system_failure"),
        ("expose", "ec2_request_latency_system_failure"), ("knncad", "ec2_request_latency_system_failure"),
        ("numenta", "rogue_agent_key_hold"), ("randomCutForest", "ambient_temperature_system_failure"),
        ("randomCutForest", "cpu_utilization_asg_misconfiguration"), ("randomCutForest", "ec2_request_latency_system_failure"),
        ("relativeEntropy", "ec2_request_latency_system_failure"), ("skyline", "ec2_request_latency_system_failure"),
        ("twitterADVec", "ec2_request_latency_system_failure"), ("windowedGaussian", "cpu_utilization_asg_misconfiguration"),
        ("windowedGaussian", "ec2_request_latency_system_failure"),
    ]

    @Test("published per-file scores are our scores of detections their counts allow, to NAB's printed precision", arguments: reproducible)
    func publishedScores(detector: String, file: String) throws {
        let scoring = try Self.scoring(file)
        let published = try #require(try Self.published(detector).first { $0.file == "realKnownCause/\(file).csv" })
        // NAB printed 12 significant digits (ARTime's and knncad's all 17).
        let tolerance = 1e-11
        let rows = try #require(
            Self.detections(scoring, matching: published, tolerance: tolerance),
            "no detections score \(published.score) for \(detector) on \(file)")
        let score = scoring.score(detectionRows: rows)
        #expect(abs(score.raw - published.score) <= tolerance, "\(score.raw) vs \(published.score)")
        #expect(score.falsePositives == published.falsePositives)
        #expect(score.detectedWindows <= published.truePositives && (score.detectedWindows > 0) == (published.truePositives > 0))
    }

    /// Detections that score `published.score`: the earliest detection in each detected window (at most
    /// TP of them) and `published.falsePositives` (at most 2) rows outside windows; nil when none is
    /// within `tolerance`. Window choices are enumerated; the false positives' sum is looked up.
    static func detections(_ scoring: NABScoring, matching published: Published, tolerance: Double) -> [Int]? {
        let scored = scoring.probationaryLength..<scoring.rowCount
        let choices: [[Int?]] = scoring.windows.map { window in
            [nil] + (max(window.first, scored.lowerBound)...window.last).map { Optional($0) }
        }
        // One row per false-positive value (two where it repeats, for a pair), then sums sorted.
        var rowsOfValue: [Double: [Int]] = [:]
        for row in scored where scoring.windowOfRow[row] == nil && rowsOfValue[scoring.sweepScores[row], default: []].count < 2 {
            rowsOfValue[scoring.sweepScores[row], default: []].append(row)
        }
        let outside = rowsOfValue.values.flatMap { $0 }
        // Rows as (first, second), −1 for none: a pair per element, not an array, keeps this quick.
        var falsePositives: [(sum: Double, first: Int, second: Int)]
        switch published.falsePositives {
        case 0: falsePositives = [(0, -1, -1)]
        case 1: falsePositives = outside.map { (scoring.sweepScores[$0], $0, -1) }
        case 2:
            falsePositives = []
            falsePositives.reserveCapacity(outside.count * outside.count / 2)
            for (index, first) in outside.enumerated() {
                for second in outside[(index + 1)...] {
                    falsePositives.append((scoring.sweepScores[first] + scoring.sweepScores[second], first, second))
                }
            }
        default: return nil
        }
        falsePositives.sort { $0.sum < $1.sum }
        let sums = falsePositives.map(\.sum)

        var best: (error: Double, rows: [Int])?
        func search(_ window: Int, _ sum: Double, _ chosen: [Int]) {
            guard window == choices.count else {
                for row in choices[window] {
                    if let row {
                        guard chosen.count < published.truePositives else { continue }
                        search(window + 1, sum + scoring.sweepScores[row], chosen + [row])
                    } else {
                        search(window + 1, sum - scoring.profile.falseNegativeWeight, chosen)
                    }
                }
                return
            }
            guard chosen.isEmpty == (published.truePositives == 0) else { return }
            let residual = published.score - sum
            var low = 0
            var high = sums.count
            while low < high {
                let middle = (low + high) / 2
                if sums[middle] < residual { low = middle + 1 } else { high = middle }
            }
            for index in [low - 1, low] where sums.indices.contains(index) {
                let error = abs(residual - sums[index])
                if error < best?.error ?? tolerance * 10 {
                    let pair = falsePositives[index]
                    best = (error, chosen + [pair.first, pair.second].filter { $0 >= 0 })
                }
            }
        }
        search(0, 0, [])
        return best.map(\.rows)
    }

    @Test("final_results.json's standard scores are the normalised sums of the published files' scores")
    func corpusNormalisation() throws {
        struct Profiles: Decodable { let standard: Double }
        let final = try JSONDecoder().decode(
            [String: Profiles].self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.nab)/results/final_results.json")))
        let windows = try JSONDecoder().decode(
            [String: [[String]]].self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.nab)/labels/combined_windows.json")))
        let windowCount = windows.values.map(\.count).reduce(0, +)
        #expect(windowCount == 116)
        let null = try Self.published("null").last?.score
        #expect(null == -Double(windowCount))
        // bayesChangePt's results are published without a final score.
        for detector in try Self.detectors() where detector != "bayesChangePt" {
            // NAB's perfect detector scores A_TP per window; its null detector −A_FN per window.
            var score = NABScoring.Score()
            score.null = try #require(null)
            score.perfect = Double(windowCount) * NABScoring.Profile.standard.truePositiveWeight
            for file in try Self.published(detector) where file.detector != "Totals" {
                var part = NABScoring.Score()
                part.raw = file.score
                score = score + part
            }
            let totals = try #require(try Self.published(detector).last)
            #expect(totals.detector == "Totals" && abs(totals.score - score.raw) < 1e-8)
            let expected = try #require(final[detector]?.standard)
            #expect(abs(try #require(score.normalised) - expected) < 1e-9, "\(detector)")
        }
    }
}
