import Hummingbird
import PMProto
import PMServices
import ServiceKit

/// `GET /api/dashboard-stats`: the seed's figures (and more) from Scheduling's DashboardStats, with the
/// detection figures summed over every Detection replica (Scheduling knows one).
struct DashboardRoutes {
    let clients: ServiceClients

    /// How long the figures wait for each Detection replica; a late one is listed as unavailable.
    let detectionDeadline: Duration

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/dashboard-stats") { _, _ in try await stats() }
    }

    private func stats() async throws -> Response {
        let since = WallClock.nowMs() - 86_400_000
        async let gathered = clients.scheduling.dashboardStats(.init())
        async let detection = detectionStats(since: since)
        var stats = try await gathered
        if let (predictions, models) = await detection {
            stats.predictionsLast24h = predictions
            stats.modelsTrained = models
            stats.unavailable.removeAll { $0.service == "detection" }
        } else if !stats.unavailable.contains(where: { $0.service == "detection" }) {
            stats.unavailable.append(.init(service: "detection", reason: "a Detection replica did not answer"))
        }
        let byStatus = Dictionary(stats.equipmentByStatus.map { ($0.status, $0.count) }, uniquingKeysWith: +)
        let final = stats
        return JSONWriter.document { json in
            json.object { json in
                json.field("total_equipment", final.totalEquipment)
                for status in [EquipmentStatus.healthy, .monitoring, .warning, .critical, .maintenance, .offline] {
                    json.field(status.shortName ?? "", byStatus[status] ?? 0)
                }
                json.field("active_alerts", final.activeAlerts)
                json.field("critical_alerts", final.criticalAlerts)
                json.field("acknowledged_alerts", final.acknowledgedAlerts)
                json.field("pending_maintenance", final.pendingTasks)
                json.field("in_progress_maintenance", final.inProgressTasks)
                json.field("overdue_maintenance", final.overdueTasks)
                json.field("readings_24h", final.readingsLast24h)
                json.field("predictions_24h", final.predictionsLast24h)
                json.field("avg_efficiency", final.avgEfficiencyLast24h.map { ($0 * 100).rounded() / 100 })
                json.field("models_trained", final.modelsTrained)
                json.key("unavailable")
                json.array(final.unavailable) { json, part in
                    json.object { json in
                        json.field("service", part.service)
                        json.field("reason", part.reason)
                    }
                }
                json.field("generated_at", time: final.generatedAtMs == 0 ? WallClock.nowMs() : final.generatedAtMs)
            }
        }.response()
    }

    /// Predictions in the last 24 h and models trained, over every replica; nil when one did not answer.
    private func detectionStats(since: Int64) async -> (UInt64, UInt32)? {
        try? await withThrowingTaskGroup(of: DetectionStatsResponse.self) { group in
            for replica in clients.detection {
                group.addTask { try await replica.detectionStats(.init(sinceMs: since), options: .init(timeout: detectionDeadline)) }
            }
            return try await group.reduce(into: (UInt64(0), UInt32(0))) { $0 = ($0.0 + $1.predictionsSince, $0.1 + $1.modelsTrained) }
        }
    }
}
