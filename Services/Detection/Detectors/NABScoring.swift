import Foundation

/// The Numenta Anomaly Benchmark's score of one data file's detections, exactly as NAB v1.1's
/// `nab/sweeper.py` computes it for a detector's detections at its threshold:
///
/// - Rows in the probationary period (the first `min(⌊0.15·rows⌋, 750)`) are not scored at all.
/// - A window whose rows are all probationary is not scored either; every other window is worth
///   `−A_FN` until a detection falls in it, then the best (the earliest) detection's
///   `A_TP · σ(position) / σ(−1)`, where position runs from −1 at the window's first row to about 0 at
///   its last and `σ(x) = 2 / (1 + e^{5x}) − 1`: a detection at the first row scores exactly `A_TP`.
/// - Every detection outside a window adds `A_FP · σ(distance past the preceding window's last row /
///   (its width − 1))`, which is `−A_FP` three widths on or with no preceding window.
///
/// The raw score is the sum; ``Score/normalised`` is NAB's `100 · (raw − null) / (perfect − null)`.
public struct NABScoring: Sendable {
    /// A NAB profile's weights (`config/profiles.json`, `CostMatrix`).
    public struct Profile: Sendable, Equatable {
        public var truePositiveWeight: Double
        public var falsePositiveWeight: Double
        public var falseNegativeWeight: Double

        public init(truePositiveWeight: Double, falsePositiveWeight: Double, falseNegativeWeight: Double) {
            self.truePositiveWeight = truePositiveWeight
            self.falsePositiveWeight = falsePositiveWeight
            self.falseNegativeWeight = falseNegativeWeight
        }

        /// NAB's standard profile: A_TP 1, A_FP 0.11, A_FN 1.
        public static let standard = Profile(truePositiveWeight: 1, falsePositiveWeight: 0.11, falseNegativeWeight: 1)

        /// The profile `name` of NAB's `config/profiles.json`.
        public static func read(_ path: String, name: String = "standard") throws -> Profile {
            struct Entry: Decodable {
                struct Costs: Decodable { let tpWeight, fpWeight, fnWeight: Double }
                let costs: Costs
                enum CodingKeys: String, CodingKey { case costs = "CostMatrix" }
            }
            guard let data = FileManager.default.contents(atPath: path),
                let entry = (try? JSONDecoder().decode([String: Entry].self, from: data))?[name]
            else { throw BacktestData.FormatError("\(path): no NAB profile \(name)") }
            let costs = entry.costs
            return Profile(truePositiveWeight: costs.tpWeight, falsePositiveWeight: costs.fpWeight, falseNegativeWeight: costs.fnWeight)
        }
    }

    /// A labelled anomaly window: its first and last rows, both inside it.
    public struct Window: Sendable, Equatable {
        public var first: Int
        public var last: Int

        public init(first: Int, last: Int) {
            self.first = first
            self.last = last
        }
    }

    /// One file's (or, summed, a corpus's) score and what it is made of. Counts are of scored rows, as
    /// NAB's score files count them.
    public struct Score: Sendable, Equatable {
        public var raw = 0.0
        /// The raw score of a detector that detects nothing.
        public var null = 0.0
        /// A_TP per scored window: what one detection at the first row of each scores, and what NAB's
        /// normaliser takes as perfect (A_TP times the number of windows).
        public var perfect = 0.0
        /// Scored windows, and those with a detection.
        public var windows = 0
        public var detectedWindows = 0
        /// Detection rows inside windows (TP) and outside (FP); rows of windows (FN) and outside (TN) without one.
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0
        public var trueNegatives = 0

        public init() {}

        /// NAB's normalised score, 100 for perfect and 0 for null; nil without a scored window.
        public var normalised: Double? {
            perfect == null ? nil : 100 * (raw - null) / (perfect - null)
        }

        /// A corpus's score: NAB normalises the sums of raw, null and perfect over its files.
        public static func + (lhs: Score, rhs: Score) -> Score {
            var sum = lhs
            sum.raw += rhs.raw
            sum.null += rhs.null
            sum.perfect += rhs.perfect
            sum.windows += rhs.windows
            sum.detectedWindows += rhs.detectedWindows
            sum.truePositives += rhs.truePositives
            sum.falsePositives += rhs.falsePositives
            sum.falseNegatives += rhs.falseNegatives
            sum.trueNegatives += rhs.trueNegatives
            return sum
        }
    }

    public let rowCount: Int
    /// In row order, not overlapping.
    public let windows: [Window]
    public let profile: Profile
    /// Rows before this one are not scored.
    public let probationaryLength: Int
    /// What a detection at each row would add (NAB's `S(t)_<profile>` column).
    public let sweepScores: [Double]
    /// The index in ``windows`` of each row's window, nil outside them.
    public let windowOfRow: [Int?]

    /// Scores a file of `rowCount` rows labelled with `windows` (in order, not overlapping).
    public init(rowCount: Int, windows: [Window], profile: Profile = .standard, probationPercent: Double = 0.15) {
        precondition(zip(windows, windows.dropFirst()).allSatisfy { $0.last < $1.first }, "NAB windows must be in order and apart")
        precondition(windows.allSatisfy { 0 <= $0.first && $0.first <= $0.last && $0.last < rowCount }, "a NAB window outside the file")
        self.rowCount = rowCount
        self.windows = windows
        self.profile = profile
        probationaryLength = Self.probationaryLength(rowCount: rowCount, probationPercent: probationPercent)

        let maxTruePositive = Self.scaledSigmoid(-1)
        var sweepScores: [Double] = []
        var windowOfRow: [Int?] = []
        sweepScores.reserveCapacity(rowCount)
        var next = 0
        var previous: Window?
        for row in 0..<rowCount {
            if next < windows.count, windows[next].first <= row {
                let window = windows[next]
                let width = Double(window.last - window.first + 1)
                let position = -Double(window.last - row + 1) / width
                sweepScores.append(Self.scaledSigmoid(position) * profile.truePositiveWeight / maxTruePositive)
                windowOfRow.append(next)
                if row == window.last {
                    previous = window
                    next += 1
                }
            } else {
                // sweeper.py divides by the preceding window's width − 1 (a one-row window gives ∞, i.e. −1).
                let position = previous.map { Double(row - $0.last) / Double($0.last - $0.first) } ?? 3
                sweepScores.append(Self.scaledSigmoid(position) * profile.falsePositiveWeight)
                windowOfRow.append(nil)
            }
        }
        self.sweepScores = sweepScores
        self.windowOfRow = windowOfRow
    }

    /// Scores the rows of `timestamps` against NAB window limits (`[[start, end]]` timestamps as in
    /// `combined_windows.json`, compared in NAB's "YYYY-MM-DD hh:mm:ss" form); each limit must be a row's.
    public init(timestamps: [String], windowLimits: [[String]], profile: Profile = .standard) throws {
        var rowOf: [Substring: Int] = [:]
        for (row, timestamp) in timestamps.enumerated().reversed() { rowOf[timestamp.prefix(19)] = row }
        let windows = try windowLimits.map { limits in
            guard limits.count == 2, let first = rowOf[limits[0].prefix(19)], let last = rowOf[limits[1].prefix(19)], first <= last else {
                throw BacktestData.FormatError("NAB window \(limits) does not start and end at rows of the file")
            }
            return Window(first: first, last: last)
        }
        self.init(rowCount: timestamps.count, windows: windows, profile: profile)
    }

    /// Scores NAB data file `path` (`timestamp,value`) with its windows from `labelsPath`
    /// (`labels/combined_windows.json`, keyed by the file's folder and name).
    public init(file path: String, labelsPath: String, profile: Profile = .standard) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BacktestData.FormatError("\(path): cannot be read (\(error.localizedDescription))")
        }
        // The rows BacktestData.read(format: .nab) reads, in the same order.
        let timestamps = text.split(whereSeparator: \.isNewline).dropFirst().filter { !$0.allSatisfy(\.isWhitespace) }.map {
            String($0.split(separator: ",", omittingEmptySubsequences: false)[0])
        }
        let url = URL(fileURLWithPath: path)
        let key = "\(url.deletingLastPathComponent().lastPathComponent)/\(url.lastPathComponent)"
        guard let limits = try NABWindows(path: labelsPath).windows[key] else {
            throw BacktestData.FormatError("\(path): the labels file has no windows for \(key)")
        }
        try self.init(timestamps: timestamps, windowLimits: limits, profile: profile)
    }

    /// NAB's probationary period: `min(⌊percent · rows⌋, percent · 5000)` rows.
    public static func probationaryLength(rowCount: Int, probationPercent: Double = 0.15) -> Int {
        Int(min((probationPercent * Double(rowCount)).rounded(.down), (probationPercent * 5000).rounded(.up)))
    }

    /// sweeper.py's `scaledSigmoid`: 2·sigmoid(−5x) − 1, and −1 from x = 3 on.
    public static func scaledSigmoid(_ x: Double) -> Double {
        x >= 3 ? -1 : 2 * (1 / (1 + exp(-(-5 * x)))) - 1
    }

    /// The detections of a binary alarm: the first row of each run of alarm rows, so an alarm that
    /// lasts is one detection (NAB counts every detection row outside a window as a false positive).
    public static func alarmStarts(_ alarms: [Bool]) -> [Bool] {
        alarms.indices.map { alarms[$0] && ($0 == 0 || !alarms[$0 - 1]) }
    }

    /// The score of detections at the rows where `detections` is true (one per row).
    public func score(detections: [Bool]) -> Score {
        precondition(detections.count == rowCount, "one detection flag per row")
        var score = Score()
        var windowParts: [Double?] = Array(repeating: nil, count: windows.count)
        var detected = Array(repeating: false, count: windows.count)
        var falsePositivePart = 0.0
        for row in probationaryLength..<max(rowCount, probationaryLength) {
            if let window = windowOfRow[row] {
                let part = windowParts[window] ?? -profile.falseNegativeWeight
                if detections[row] {
                    score.truePositives += 1
                    detected[window] = true
                    windowParts[window] = max(part, sweepScores[row])
                } else {
                    score.falseNegatives += 1
                    windowParts[window] = part
                }
            } else if detections[row] {
                score.falsePositives += 1
                falsePositivePart += sweepScores[row]
            } else {
                score.trueNegatives += 1
            }
        }
        // In sweeper.py's order: the false positives' part, then each window's.
        score.raw = falsePositivePart
        for (window, part) in windowParts.enumerated() {
            guard let part else { continue }
            score.raw += part
            score.windows += 1
            score.null -= profile.falseNegativeWeight
            if detected[window] { score.detectedWindows += 1 }
        }
        score.perfect = Double(score.windows) * profile.truePositiveWeight
        return score
    }

    /// The score of detections at `rows`.
    public func score(detectionRows rows: some Sequence<Int>) -> Score {
        var detections = Array(repeating: false, count: rowCount)
        for row in rows { detections[row] = true }
        return score(detections: detections)
    }
}
