import PMProto
import PMRPC
import PMServices

/// `pm.v1.Health`, shaped like grpc.health.v1: Check answers NOT_FOUND for a service it does not know,
/// Watch streams SERVICE_UNKNOWN for it instead and keeps watching.
public struct HealthService: HealthProtocol {
    let registry: HealthStatusRegistry
    /// The server's frame limit, told to every caller so a client can size its requests.
    let maxFrameBytes: UInt32

    /// A health service answering from `registry`, normally the application's ``RPCServiceApplication/health``,
    /// advertising `maxFrameBytes` (the server's `maxFrameSize`).
    public init(registry: HealthStatusRegistry, maxFrameBytes: Int) {
        self.registry = registry
        self.maxFrameBytes = UInt32(clamping: maxFrameBytes)
    }

    /// The current status of `request.service` ("" for the server as a whole); throws NOT_FOUND for a
    /// service whose status was never set.
    public func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
        guard let status = registry.status(of: request.service) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
        }
        return HealthCheckResponse(status: status, maxFrameBytes: maxFrameBytes)
    }

    /// Sends the status of `request.service` at once (SERVICE_UNKNOWN if never set), then every change until
    /// the call ends; a slow client gets only the newest status.
    public func watch(_ request: HealthCheckRequest, writer: RPCWriter<HealthCheckResponse>, context: ServerContext) async throws {
        for await status in registry.watch(request.service) {
            try await writer.write(HealthCheckResponse(status: status, maxFrameBytes: maxFrameBytes))
        }
    }
}
