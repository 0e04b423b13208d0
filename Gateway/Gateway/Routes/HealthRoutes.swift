import Foundation
import Hummingbird
import PMProto
import PMRPC
import PMServices

/// `GET /health`: the gateway's liveness; with a valid key also each internal service's health check,
/// 200 when every service is serving and 503 otherwise.
struct HealthRoutes: Sendable {
    /// The services to ask, by the name used in the report.
    let services: [(name: String, client: HealthClient)]
    /// How long each service has to answer its health check.
    let timeout: Duration

    struct Report: ResponseEncodable {
        var status: String
        var services: [String: String]?
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/health") { _, context -> EditedResponse<Report> in
            // Without a key: liveness only, no details about the services behind the gateway.
            guard context.identity != nil else { return EditedResponse(status: .ok, response: Report(status: "ok", services: nil)) }
            let report = await self.report()
            return EditedResponse(status: report.status == "ok" ? .ok : .serviceUnavailable, response: report)
        }
    }

    private func report() async -> Report {
        var statuses = [String: String]()
        await withTaskGroup(of: (String, String).self) { group in
            for (name, client) in services {
                group.addTask {
                    do {
                        let response = try await client.check(options: CallOptions(timeout: timeout))
                        return (name, response.status.shortName ?? "unknown")
                    } catch let error as RPCError {
                        return (name, "unreachable: \(error.code)")
                    } catch {
                        return (name, "unreachable")
                    }
                }
            }
            for await (name, status) in group { statuses[name] = status }
        }
        let healthy = statuses.values.allSatisfy { $0 == "serving" }
        return Report(status: healthy ? "ok" : "degraded", services: statuses)
    }
}
