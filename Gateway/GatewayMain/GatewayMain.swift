import Foundation
import Gateway
import Hummingbird
import Logging
import ServiceKit

@main
enum GatewayMain {
    static func main() async {
        do {
            let configuration = try GatewayConfiguration(environment: .process)
            LoggingSetup.bootstrap(level: configuration.logLevel)
            let application = GatewayBuilder.buildApplication(configuration: configuration, logger: Logger(label: "pm.gateway"))
            try await application.runService()
        } catch {
            FileHandle.standardError.write(Data("gateway: \(error)\n".utf8))
            exit(1)
        }
    }
}
