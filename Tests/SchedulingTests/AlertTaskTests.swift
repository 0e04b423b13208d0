import Foundation
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

@Suite("Tasks from alerts")
struct AlertTaskTests {
    static func raise(_ event: String, machine: Int64, kind: String = "anomaly:vibration", severity: Severity) -> RaiseAlertRequest {
        RaiseAlertRequest(
            eventID: event, equipmentID: machine, severity: severity, title: "Vibration above normal", description: "bearing wear?",
            source: "detection", kind: kind, confidence: 90)
    }

    static var todayUTC: String { dayUTC(daysFromToday: 0) }

    static func dayUTC(daysFromToday days: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    static func alertTasks(_ client: SchedulingServiceClient) async throws -> [MaintenanceTask] {
        try await client.listTasks(ListTasksRequest()).tasks.filter { $0.source == "alert" }
    }

    @Test("a new alert makes one task per machine and kind, an escalation raises its priority, a restart duplicates nothing")
    func tasksFromAlerts() async throws {
        let folder = try TemporaryFolder()
        let today = Self.todayUTC
        try await SchedulingTest.with(folder: folder) { clients in
            let critical = try #require(try await clients.alerting.raiseAlert(Self.raise("a1", machine: 1, severity: .critical)).alert)
            _ = try await clients.alerting.raiseAlert(Self.raise("a2", machine: 2, severity: .warning))
            #expect(try await eventually { try await Self.alertTasks(clients.scheduling).count == 2 })
            let tasks = try await Self.alertTasks(clients.scheduling)
            let first = try #require(tasks.first { $0.equipmentID == 1 })
            #expect(first.priority == .critical && first.scheduledDate == today && first.alertID == critical.id)
            #expect(first.alertKind == "anomaly:vibration")
            let second = try #require(tasks.first { $0.equipmentID == 2 })
            #expect(second.priority == .high && second.scheduledDate > today)

            // The warning escalates: the open task becomes critical, due today.
            _ = try await clients.alerting.raiseAlert(Self.raise("a3", machine: 2, severity: .critical))
            #expect(
                try await eventually {
                    try await clients.scheduling.getTask(GetTaskRequest(taskID: second.id)).task?.priority == .critical
                })
            #expect(try await clients.scheduling.getTask(GetTaskRequest(taskID: second.id)).task?.scheduledDate == today)
        }
        // A restart on the same files replays nothing twice; new alerts after it still make tasks.
        try await SchedulingTest.with(folder: folder) { clients in
            _ = try await clients.alerting.raiseAlert(Self.raise("b1", machine: 3, kind: "anomaly:pressure", severity: .warning))
            #expect(try await eventually { try await Self.alertTasks(clients.scheduling).count == 3 })
            let tasks = try await Self.alertTasks(clients.scheduling)
            #expect(Set(tasks.map(\.alertID)).count == 3)
            #expect(tasks.filter { $0.equipmentID == 1 }.count == 1)
        }
    }
}
