import Foundation
import Logging

/// The whole body of a service's `@main`: read configuration, set up logging, build, run; a
/// configuration or start-up error is printed and exits with status 1.
public enum ServiceMain {
    public typealias Build = @Sendable (RPCServiceConfiguration, Environment, Logger) async throws -> RPCServiceApplication

    public static func run(name: String, defaultPort: Int, build: Build) async {
        let environment = Environment.process
        do {
            let configuration = try RPCServiceConfiguration(name: name, defaultPort: defaultPort, environment: environment)
            LoggingSetup.bootstrap(level: configuration.logLevel)
            let logger = Logger(label: "pm.\(name)")
            let application = try await build(configuration, environment, logger)
            try await application.run()
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(1)
        }
    }
}
