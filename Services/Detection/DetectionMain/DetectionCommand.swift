import ArgumentParser
import Detection
import ServiceKit

/// `detection` serves the Detection RPC; `detection backtest` judges a detector on a history file.
@main
struct DetectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "The Detection service: per-machine anomaly detection.",
        subcommands: [Serve.self, BacktestCommand.self, RULCommand.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the Detection RPC (configured by environment variables).")

    func run() async {
        await ServiceMain.run(name: "detection", defaultPort: DetectionBuilder.defaultPort, build: DetectionBuilder.buildApplication)
    }
}
