import Foundation
import Logging

/// The whole body of a service's `@main`: read configuration, set up logging, build, run; a
/// configuration or start-up error is printed and exits with status 1.
public enum ServiceMain {
    /// Builds the application from its configuration, the environment (for the service's own settings)
    /// and its logger, labelled `pm.<name>`.
    public typealias Build = @Sendable (RPCServiceConfiguration, Environment, Logger) async throws -> RPCServiceApplication

    /// Reads the ``RPCServiceConfiguration`` of service `name` (on `defaultPort` unless `<NAME>_RPC_PORT`
    /// says otherwise), bootstraps logging, builds and runs the application until it shuts down. Any
    /// error is printed on standard error as `<name>: <error>` and exits the process with status 1.
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
