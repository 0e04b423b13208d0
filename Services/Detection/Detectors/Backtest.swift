/// Runs a detector over a history as the live service would: trained on the first rows (or on another
/// file), then observing the rest in order, learning as its design says.
public struct Backtest: Sendable {
    /// One row's outcome.
    public struct Row: Sendable {
        public var score: Double
        public var threshold: Double
        /// 0 for training rows.
        public var predicted: Bool
        public var isTraining: Bool
    }

    public var rows: [Row] = []

    /// Trains `detector` on `training` rows plus the first `trainRows` rows of `data`, then observes the
    /// rest. Training rows of `data` are judged by the trained model for their score, never predicted.
    public init(detector: any Detector, data: BacktestData, trainRows: Int, training: [[Double]] = []) {
        var detector = detector
        let split = min(max(trainRows, 0), data.rows.count)
        detector.train(training + data.rows[..<split])
        for row in data.rows[..<split] {
            let verdict = detector.judge(row)
            rows.append(Row(score: verdict.score, threshold: verdict.threshold, predicted: false, isTraining: true))
        }
        for row in data.rows[split...] {
            let verdict = detector.observe(row)
            rows.append(Row(score: verdict.score, threshold: verdict.threshold, predicted: verdict.isAlarm, isTraining: false))
        }
    }

    /// Counts over the rows that were not training rows.
    public func metrics(labels: [Bool]) -> DetectionMetrics {
        var metrics = DetectionMetrics()
        for (row, label) in zip(rows, labels) where !row.isTraining { metrics.add(predicted: row.predicted, label: label) }
        return metrics
    }

    /// ROC AUC of the scores of the rows that were not training rows.
    public func rocAUC(labels: [Bool]) -> Double? {
        let tested = zip(rows, labels).filter { !$0.0.isTraining }
        return DetectionMetrics.rocAUC(scores: tested.map(\.0.score), labels: tested.map(\.1))
    }
}
