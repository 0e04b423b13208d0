import PMProto
import PMRPC
import PMServices
import ServiceKit

/// The dashboard's figures, gathered from the services that own them, in parallel and each call with a
/// deadline: a service that is down or slow costs at most the deadline and is listed as unavailable,
/// and the others' figures still come back.
struct DashboardStatsGatherer: Sendable {
    let ingest: IngestServiceClient
    let alerting: AlertingServiceClient
    let detection: DetectionServiceClient
    let tasks: TaskStore
    let deadline: Duration

    func gather(now: Int64) async -> DashboardStatsResponse {
        let since = now - 86_400_000
        let options = CallOptions(timeout: deadline)
        async let equipment = outcome { try await ingest.equipmentStats(options: options) }
        async let readings = outcome { try await ingest.readingStats(ReadingStatsRequest(sinceMs: since), options: options) }
        async let alerts = outcome { try await alerting.alertStats(options: options) }
        async let predictions = outcome { try await detection.detectionStats(DetectionStatsRequest(sinceMs: since), options: options) }
        async let schedule = outcome { try await tasks.stats(today: CalendarDay.of(ms: now)) }

        var response = DashboardStatsResponse(generatedAtMs: now)
        var missing = UnavailableParts()
        if let equipment = missing.value(of: await equipment, from: "ingest") {
            response.totalEquipment = equipment.total
            response.equipmentByStatus = equipment.byStatus
        }
        if let readings = missing.value(of: await readings, from: "ingest") {
            response.readingsLast24h = readings.readingsSince
            response.avgEfficiencyLast24h = readings.avgEfficiencySince
        }
        if let alerts = missing.value(of: await alerts, from: "alerting") {
            response.activeAlerts = alerts.active
            response.criticalAlerts = alerts.criticalActive
            response.acknowledgedAlerts = alerts.acknowledged
        }
        if let schedule = missing.value(of: await schedule, from: "scheduling") {
            response.pendingTasks = schedule.pending
            response.inProgressTasks = schedule.inProgress
            response.overdueTasks = schedule.overdue
        }
        if let predictions = missing.value(of: await predictions, from: "detection") {
            response.predictionsLast24h = predictions.predictionsSince
            response.modelsTrained = predictions.modelsTrained
        }
        response.unavailable = missing.parts
        return response
    }

    private func outcome<Value>(_ call: @Sendable () async throws -> Value) async -> Result<Value, any Error> {
        do { return .success(try await call()) } catch { return .failure(error) }
    }
}

/// The services whose figures could not be had, each listed once with the first reason.
private struct UnavailableParts {
    var parts: [UnavailablePart] = []

    mutating func value<Value>(of result: Result<Value, any Error>, from service: String) -> Value? {
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            if !parts.contains(where: { $0.service == service }) { parts.append(UnavailablePart(service: service, reason: "\(error)")) }
            return nil
        }
    }
}
