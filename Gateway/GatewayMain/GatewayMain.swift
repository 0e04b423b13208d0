import ArgumentParser
import Foundation
import Gateway
import Hummingbird
import Logging
import ServiceKit

/// `gateway` serves the public API and dashboard; `gateway keys ...` manages its API keys.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "The public gateway: REST API, WebSocket, dashboard.",
        subcommands: [Serve.self, KeysCommand.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve HTTP (configured by environment variables).")

    func run() async {
        do {
            let configuration = try GatewayConfiguration(environment: .process)
            LoggingSetup.bootstrap(level: configuration.logLevel)
            let application = try GatewayBuilder.buildApplication(configuration: configuration, logger: Logger(label: "pm.gateway"))
            try await application.runService()
        } catch {
            FileHandle.standardError.write(Data("gateway: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
