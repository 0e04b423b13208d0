import ArgumentParser
import Ingest
import ServiceKit

/// `ingest` serves the Ingest RPC; `ingest import` loads a CSV history into a running Ingest.
@main
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "The Ingest service: equipment registry and sensor readings.",
        subcommands: [Serve.self, ImportCSV.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the Ingest RPC (configured by environment variables).")

    func run() async {
        await ServiceMain.run(name: "ingest", defaultPort: IngestBuilder.defaultPort, build: IngestBuilder.buildApplication)
    }
}
