import ArgumentParser
import Detectors
import Foundation

/// Runs a detector over a history file as the live service would and prints, per row, its score,
/// threshold and prediction (and the label when the file has one), or with `--summary` only the metrics.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Judge a detector on a history file: the first rows train, the rest are scored in order."
    )

    @Argument(help: "The history file.")
    var file: String

    @Option(help: "skab (';'-separated SKAB run), nab (timestamp,value; labels from --labels) or csv (a header row).")
    var format: BacktestData.Format = .csv

    @Option(help: "default, seed or iforest.")
    var detector: DetectorKind = .default

    @Option(name: .customLong("train-rows"), help: "Rows of FILE that train (default: 400; 15% of the rows for nab).")
    var trainRows: Int?

    @Option(name: .customLong("train-file"), help: "Train on every row of this file (same format) instead; FILE is all scored.")
    var trainFile: String?

    @Option(name: .customLong("label-column"), help: "csv: the label column (default: label, when present).")
    var labelColumn: String?

    @Option(help: "nab: the label windows JSON (NAB's labels/combined_windows.json).")
    var labels: String?

    @Option(help: "The random seed of a forest detector (default: the detector's own: 42 seed, 0 iforest).")
    var seed: UInt64?

    @Flag(help: "Print only the metrics: counts, precision, recall, F1, false- and missed-alarm rates, ROC AUC.")
    var summary = false

    @Flag(help: "nab: print NAB's standard-profile score of the alarm starts (one detection per alarm); train on NAB's probation.")
    var nab = false

    func validate() throws {
        if let trainRows, trainRows < 0 { throw ValidationError("--train-rows must not be negative") }
        if format == .nab, labels == nil, summary { throw ValidationError("--summary with --format nab needs --labels") }
        if nab, format != .nab || labels == nil { throw ValidationError("--nab needs --format nab and --labels") }
    }

    func run() throws {
        let data = try BacktestData.read(file, format: format, labelColumn: labelColumn, labelsPath: labels)
        var training: [[Double]] = []
        let nabScoring = try labels.flatMap { nab ? try NABScoring(file: file, labelsPath: $0) : nil }
        var split = trainRows ?? nabScoring?.probationaryLength ?? (format == .nab ? data.rows.count * 15 / 100 : 400)
        if let trainFile {
            training = try BacktestData.read(trainFile, format: format, labelColumn: labelColumn).rows
            guard training.first?.count == data.rows.first?.count else {
                throw BacktestData.FormatError(
                    "\(trainFile) has \(training.first?.count ?? 0) features, \(file) has \(data.rows.first?.count ?? 0)")
            }
            split = trainRows ?? 0
        }
        let backtest = Backtest(
            detector: detector.make(featureCount: data.featureNames.count, seed: seed), data: data, trainRows: split, training: training)
        if let nabScoring {
            let score = nabScoring.score(detections: NABScoring.alarmStarts(backtest.rows.map(\.predicted)))
            print("file,rows,probation,windows,detected_windows,tp,fp,fn,tn,raw,null,perfect,score")
            let counts = [
                data.rows.count, nabScoring.probationaryLength, score.windows, score.detectedWindows, score.truePositives,
                score.falsePositives, score.falseNegatives, score.trueNegatives,
            ]
            let parts = [score.raw, score.null, score.perfect].map { String(format: "%.6f", $0) }
            let normalised = score.normalised.map { String(format: "%.2f", $0) } ?? ""
            print(([file] + counts.map(String.init) + parts + [normalised]).joined(separator: ","))
            return
        }
        if summary {
            guard !data.labels.isEmpty else { throw ValidationError("\(file) has no labels to compare with") }
            let metrics = backtest.metrics(labels: data.labels)
            let auc = backtest.rocAUC(labels: data.labels).map { String(format: "%.4f", $0) } ?? ""
            print("rows,tp,fp,fn,tn,precision,recall,f1,false_alarm_rate,missed_alarm_rate,roc_auc")
            print(
                [
                    "\(backtest.rows.count)", "\(metrics.truePositives)", "\(metrics.falsePositives)", "\(metrics.falseNegatives)",
                    "\(metrics.trueNegatives)",
                ].joined(separator: ",") + ","
                    + [metrics.precision, metrics.recall, metrics.f1, metrics.falseAlarmRate, metrics.missedAlarmRate].map {
                        String(format: "%.4f", $0)
                    }.joined(separator: ",") + ",\(auc)")
            return
        }
        var output = data.labels.isEmpty ? "row,score,threshold,predicted\n" : "row,score,threshold,predicted,label\n"
        for (index, row) in backtest.rows.enumerated() {
            output += "\(index),\(row.score),\(row.threshold),\(row.predicted ? 1 : 0)"
            output += data.labels.isEmpty ? "\n" : ",\(data.labels[index] ? 1 : 0)\n"
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

extension BacktestData.Format: ExpressibleByArgument {}
extension DetectorKind: ExpressibleByArgument {}
