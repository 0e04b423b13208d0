import ArgumentParser
import Detectors
import Foundation

/// Estimates each unit's remaining useful life at its last cycle, learnt from runs to failure, and prints
/// `unit,cycle,rul_predicted`; with `--evaluate`, cross-validates the methods on FILE's runs instead.
struct RULCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rul",
        abstract: "Remaining useful life of each unit of a file at its last cycle, learnt from runs to failure.",
        discussion: """
            Example: detection rul units.txt --format cmapss --train-file ../shared/data/cmapss/train_FD001.txt
            Cross-validated figures: detection rul ../shared/data/cmapss/train_FD001.txt --format cmapss --evaluate
            """
    )

    /// The file formats the command reads.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// NASA C-MAPSS: whitespace-separated unit, cycle, 3 settings, 21 sensors.
        case cmapss
    }

    @Argument(help: "The units to estimate (with --evaluate: the runs to failure to cross-validate on).")
    var file: String

    @Option(help: "cmapss (NASA's turbofan files: unit, cycle, 3 settings, 21 sensors per line).")
    var format: Format

    @Option(name: .customLong("train-file"), help: "The runs to failure (same format) the model learns from.")
    var trainFile: String?

    @Option(help: "similarity (default), ridge or trend.")
    var method: RemainingLifeMethod = .similarity

    @Option(help: "The most cycles a model predicts; the life of a healthy unit is capped there.")
    var cap: Double = 125

    @Flag(help: "Also print the band: rul_lower,rul_upper.")
    var band = false

    @Flag(help: "Cross-validate every method on FILE (runs to failure) and print RMSE and PHM08 score per method.")
    var evaluate = false

    @Option(help: "--evaluate: how many times the folds are drawn again (other shuffles and cuts).")
    var repeats = 5

    func validate() throws {
        if !evaluate, trainFile == nil { throw ValidationError("--train-file is required: the runs to failure to learn from") }
        if cap <= 0 { throw ValidationError("--cap must be positive") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let engines = try CMAPSS.read(file)
        if evaluate { return printEvaluation(engines) }
        let training = try CMAPSS.read(trainFile!)
        let model = method.fit(runs: training.map(\.allSensors), cap: cap)
        var output = band ? "unit,cycle,rul_predicted,rul_lower,rul_upper\n" : "unit,cycle,rul_predicted\n"
        for engine in engines {
            // No degradation to extrapolate (the trend method on a steady unit): as healthy as the model can tell.
            let estimate = model.estimate(engine.allSensors) ?? RemainingLifeEstimate(cycles: cap, lower: cap, upper: cap)
            output += "\(engine.unit),\(engine.cycles.last!),\(Self.format(estimate.cycles))"
            output += band ? ",\(Self.format(estimate.lower)),\(Self.format(estimate.upper))\n" : "\n"
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    private func printEvaluation(_ engines: [CMAPSSEngine]) {
        print("method,point,rmse,rmse_sd,phm08,band_coverage,without_estimate")
        for method in RemainingLifeMethod.allCases {
            for result in RemainingLifeEvaluation.crossValidate(engines, method: method, cap: cap, repeats: repeats) {
                print(
                    "\(method.rawValue),\(result.point.rawValue),\(Self.format(result.rmse, 2)),\(Self.format(result.rmseDeviation, 2)),"
                        + "\(Self.format(result.score, 0)),\(Self.format(result.coverage, 2)),\(result.withoutEstimate)")
            }
        }
    }

    private static func format(_ value: Double, _ digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }
}

extension CMAPSSEngine {
    /// The 21 sensors of every cycle: FD001 runs at one operating condition, so the settings carry no wear.
    fileprivate var allSensors: [[Double]] { sensors(Array(1...CMAPSS.sensorCount)) }
}

extension RemainingLifeMethod: ExpressibleByArgument {}
