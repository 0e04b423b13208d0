import Foundation
import Hummingbird
import PMProto
import PMRPC
import PMServices

/// `GET /health`: the gateway's own liveness plus each internal service's health check, 200 when every
/// service is serving and 503 otherwise.
struct HealthController: Sendable {
    let clients: ServiceClients

    struct Report: ResponseEncodable {
        var status: String
        var services: [String: String]
    }

    func register(with router: Router<some RequestContext>) {
        router.get("health") { _, _ -> EditedResponse<Report> in
            let report = await self.report()
            return EditedResponse(status: report.status == "ok" ? .ok : .serviceUnavailable, response: report)
        }
    }

    private func report() async -> Report {
        var services = [String: String]()
        await withTaskGroup(of: (String, String).self) { group in
            for (name, client) in clients.byName {
                group.addTask {
                    do {
                        let response = try await HealthClient(client).check(options: CallOptions(timeout: .seconds(2)))
                        return (name, response.status.shortName ?? "unknown")
                    } catch let error as RPCError {
                        return (name, "unreachable: \(error.code)")
                    } catch {
                        return (name, "unreachable")
                    }
                }
            }
            for await (name, status) in group { services[name] = status }
        }
        let healthy = services.values.allSatisfy { $0 == "serving" }
        return Report(status: healthy ? "ok" : "degraded", services: services)
    }
}
