import Logging
@_spi(Fuzzing) import PMRPC

@_spi(Fuzzing)
extension RPCServiceApplication {
    /// Every method the application serves, by path.
    public var methodPaths: [String] { router.methodPaths }

    /// Starts the background services (database, writers, jobs) without the server, for callers that call
    /// handlers through ``invokeWithoutConnection(path:payload:)``; they run until the process exits.
    public func startBackgroundServicesWithoutServer() {
        for service in backgroundServices {
            Task { [logger] in
                do { try await service.run() } catch { logger.critical("background service failed: \(error)") }
            }
        }
    }

    /// Calls `path`'s handler with `payload` through the application's router, as its server would, and
    /// throws the status a client would receive.
    public func invokeWithoutConnection(path: String, payload: [UInt8]) async throws(RPCError) {
        try await router.invokeWithoutConnection(path: path, payload: payload, logger: logger)
    }
}
