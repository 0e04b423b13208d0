import Foundation
import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

@Suite("Dashboard statistics")
struct DashboardStatsTests {
    /// A Detection that never answers DetectionStats within any deadline.
    struct UnresponsiveDetection: DetectionServiceProtocol {
        func score(_ request: ScoreRequest, context: ServerContext) async throws -> ScoreResponse { ScoreResponse() }
        func getModelInfo(_ request: ModelInfoRequest, context: ServerContext) async throws -> ModelInfoResponse { ModelInfoResponse() }
        func listPredictions(_ request: ListPredictionsRequest, context: ServerContext) async throws -> ListPredictionsResponse {
            ListPredictionsResponse()
        }
        func detectionStats(_ request: DetectionStatsRequest, context: ServerContext) async throws -> DetectionStatsResponse {
            try await Task.sleep(for: .seconds(120))
            return DetectionStatsResponse(predictionsSince: 1)
        }
    }

    @Test("figures come from each service; one that does not answer in time is marked unavailable and costs only its deadline")
    func gathered() async throws {
        var router = RPCRouter()
        UnresponsiveDetection().register(in: &router)
        try await RPCTestServer.with(router: router) { detection in
            let folder = try TemporaryFolder()
            // 20 s: Ingest and Alerting answer within it even on a busy machine; Detection would take two minutes.
            try await SchedulingTest.with(
                folder: folder, detectionPort: detection.port, environment: ["SCHEDULING_DASHBOARD_DEADLINE_MS": "20000"]
            ) { clients in
                _ = try await clients.ingest.updateEquipment(UpdateEquipmentRequest(equipmentID: 6, status: .warning))
                _ = try await clients.ingest.recordReadings(
                    RecordReadingsRequest(readings: [
                        Reading(equipmentID: 1, temperature: 70, vibration: 2, pressure: 100, powerConsumption: 50, efficiency: 90),
                        Reading(equipmentID: 2, temperature: 70, vibration: 2, pressure: 100, powerConsumption: 50, efficiency: 80),
                    ]))
                _ = try await clients.alerting.raiseAlert(AlertTaskTests.raise("d1", machine: 1, severity: .critical))
                _ = try await clients.alerting.raiseAlert(AlertTaskTests.raise("d2", machine: 2, severity: .warning))
                #expect(try await eventually { try await AlertTaskTests.alertTasks(clients.scheduling).count == 2 })
                let overdue = try #require(try await clients.scheduling.createTask(SchedulingTest.create(3, date: "2020-01-01")).task)
                _ = try await clients.scheduling.updateTaskStatus(UpdateTaskStatusRequest(taskID: overdue.id, status: .inProgress))

                let started = ContinuousClock.now
                let stats = try await clients.scheduling.dashboardStats(DashboardStatsRequest())
                #expect(ContinuousClock.now - started < .seconds(90))
                #expect(stats.unavailable.map(\.service) == ["detection"])
                #expect(stats.unavailable.first?.reason.contains("DEADLINE_EXCEEDED") == true, "\(stats.unavailable)")
                #expect(stats.totalEquipment == 6)
                #expect(
                    stats.equipmentByStatus == [
                        EquipmentStatusCount(status: .healthy, count: 4), EquipmentStatusCount(status: .warning, count: 1),
                        EquipmentStatusCount(status: .maintenance, count: 1),
                    ] || stats.equipmentByStatus.count == 2)  // machine 3 may not be in maintenance yet
                #expect(stats.readingsLast24h == 2 && stats.avgEfficiencyLast24h == 85)
                #expect(stats.activeAlerts == 2 && stats.criticalAlerts == 1 && stats.acknowledgedAlerts == 0)
                #expect(stats.pendingTasks == 2 && stats.inProgressTasks == 1 && stats.overdueTasks == 1)
                #expect(stats.predictionsLast24h == 0 && stats.generatedAtMs > 0)
            }
        }
    }

    @Test("with Alerting stopped, Ingest's and Scheduling's figures still come back")
    func alertingDown() async throws {
        let folder = try TemporaryFolder()
        let alertingDown = try ClosedPort()
        try await SchedulingTest.with(
            folder: folder, alertingPort: alertingDown.port, environment: ["SCHEDULING_DASHBOARD_DEADLINE_MS": "20000"]
        ) { clients in
            _ = try await clients.scheduling.createTask(SchedulingTest.create(1))
            let stats = try await clients.scheduling.dashboardStats(DashboardStatsRequest())
            #expect(Set(stats.unavailable.map(\.service)) == ["alerting", "detection"])
            #expect(stats.totalEquipment == 6 && stats.pendingTasks == 1)
            #expect(stats.activeAlerts == 0)
        }
        withExtendedLifetime(alertingDown) {}
    }
}
