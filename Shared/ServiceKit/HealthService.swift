import PMProto
import PMRPC

/// `pm.v1.Health`, shaped like grpc.health.v1: Check answers NOT_FOUND for a service it does not know,
/// Watch streams SERVICE_UNKNOWN for it instead and keeps watching.
public enum HealthService {
    public static func register(_ registry: HealthStatusRegistry, in router: inout RPCRouter) {
        router.register(Health.check) { request, _ in
            guard let status = registry.status(of: request.service) else {
                throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
            }
            return HealthCheckResponse(status: status)
        }
        router.register(Health.watch) { request, writer, _ in
            for await status in registry.watch(request.service) {
                try await writer.write(HealthCheckResponse(status: status))
            }
        }
    }
}
