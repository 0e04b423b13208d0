import PMProto
import PMRPC
import PMServices

/// `pm.v1.Health`, shaped like grpc.health.v1: Check answers NOT_FOUND for a service it does not know,
/// Watch streams SERVICE_UNKNOWN for it instead and keeps watching.
public struct HealthService: HealthProtocol {
    let registry: HealthStatusRegistry

    public init(registry: HealthStatusRegistry) {
        self.registry = registry
    }

    public func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
        guard let status = registry.status(of: request.service) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
        }
        return HealthCheckResponse(status: status)
    }

    public func watch(_ request: HealthCheckRequest, writer: RPCWriter<HealthCheckResponse>, context: ServerContext) async throws {
        for await status in registry.watch(request.service) {
            try await writer.write(HealthCheckResponse(status: status))
        }
    }
}
