/// How well predictions match labels, as SKAB and the literature count them (counts summed over rows).
public struct DetectionMetrics: Sendable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    public var trueNegatives = 0

    public init() {}

    /// Counts each (predicted, label) pair.
    public mutating func add(predicted: Bool, label: Bool) {
        switch (predicted, label) {
        case (true, true): truePositives += 1
        case (true, false): falsePositives += 1
        case (false, true): falseNegatives += 1
        case (false, false): trueNegatives += 1
        }
    }

    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    /// SKAB's F1: TP / (TP + (FP + FN) / 2).
    public var f1: Double { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }
    /// False-alarm rate: FP / (FP + TN).
    public var falseAlarmRate: Double { ratio(falsePositives, falsePositives + trueNegatives) }
    /// Missed-alarm rate: FN / (FN + TP).
    public var missedAlarmRate: Double { ratio(falseNegatives, falseNegatives + truePositives) }

    private func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    /// The area under the ROC curve of `scores` (higher = more anomalous) against `labels`: the chance
    /// that a random anomalous row scores above a random normal one, ties counting half. nil unless
    /// both classes occur.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count)
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Mann-Whitney U from the ranks, with tied scores given their average rank.
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for position in start...end where labels[order[position]] { rankSum += averageRank }
            start = end + 1
        }
        let u = rankSum - Double(positives * (positives + 1)) / 2
        return u / Double(positives * negatives)
    }
}
