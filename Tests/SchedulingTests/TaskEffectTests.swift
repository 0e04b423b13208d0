import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

@Suite("What starting and finishing a task does in Ingest and Alerting")
struct TaskEffectTests {
    static func machine(_ id: Int64, _ clients: SchedulingTest.Clients) async throws -> Equipment {
        try #require(try await clients.ingest.getEquipment(GetEquipmentRequest(equipmentID: id)).equipment)
    }

    static func silences(_ machine: Int64, _ clients: SchedulingTest.Clients) async throws -> [Silence] {
        try await clients.alerting.listSilences(ListSilencesRequest(equipmentID: machine)).silences
    }

    static func setStatus(_ task: Int64, _ status: TaskStatus, _ clients: SchedulingTest.Clients) async throws {
        _ = try await clients.scheduling.updateTaskStatus(UpdateTaskStatusRequest(taskID: task, status: status))
    }

    @Test(
        "starting puts the machine in maintenance and mutes its alerts; completing records the maintenance, resolves the alert, lifts the silence"
    )
    func startAndComplete() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            let alert = try #require(
                try await clients.alerting.raiseAlert(AlertTaskTests.raise("e1", machine: 3, severity: .critical)).alert)
            #expect(try await eventually { try await AlertTaskTests.alertTasks(clients.scheduling).count == 1 })
            let task = try #require(try await AlertTaskTests.alertTasks(clients.scheduling).first)

            try await Self.setStatus(task.id, .inProgress, clients)
            #expect(try await eventually { try await Self.machine(3, clients).status == .maintenance })
            #expect(try await eventually { try await Self.silences(3, clients).map(\.key) == ["task-\(task.id)"] })
            // While the work goes on, a new problem on the machine is recorded but muted.
            let muted = try await clients.alerting.raiseAlert(
                AlertTaskTests.raise("e2", machine: 3, kind: "anomaly:temperature", severity: .warning))
            #expect(muted.alert?.silenced == true)

            try await Self.setStatus(task.id, .completed, clients)
            #expect(try await eventually { try await Self.silences(3, clients).isEmpty })
            let serviced = try await Self.machine(3, clients)
            #expect(serviced.status == .healthy && serviced.lastMaintenance == AlertTaskTests.todayUTC)
            let resolved = try #require(try await clients.alerting.getAlert(GetAlertRequest(alertID: alert.id)).alert)
            #expect(resolved.state == .resolved && resolved.resolvedBy == "scheduling")
        }
    }

    @Test("an effect waits for Alerting to come up and is then carried out once, in order")
    func retriedUntilAlertingIsUp() async throws {
        let folder = try TemporaryFolder()
        let alertingPort = try await unusedPort()
        try await SchedulingTest.with(folder: folder, alertingPort: alertingPort) { clients in
            let task = try #require(try await clients.scheduling.createTask(SchedulingTest.create(2)).task)
            try await Self.setStatus(task.id, .inProgress, clients)
            // Ingest's part is done although Alerting is down; the silence waits for it.
            #expect(try await eventually { try await Self.machine(2, clients).status == .maintenance })
            try await SchedulingTest.withAlerting(folder: folder, port: alertingPort) { _ in
                #expect(try await eventually { try await Self.silences(2, clients).map(\.key) == ["task-\(task.id)"] })
                // Retried steps did not make a second silence.
                #expect(try await Self.silences(2, clients).count == 1)
                try await Self.setStatus(task.id, .completed, clients)
                #expect(try await eventually { try await Self.silences(2, clients).isEmpty })
                #expect(try await Self.machine(2, clients).status == .healthy)
            }
        }
    }

    @Test("stopping work lifts its silence and ends maintenance, unless another task on the machine is in progress")
    func stopping() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            let first = try #require(try await clients.scheduling.createTask(SchedulingTest.create(4)).task)
            let second = try #require(try await clients.scheduling.createTask(SchedulingTest.create(4)).task)
            try await Self.setStatus(first.id, .inProgress, clients)
            try await Self.setStatus(second.id, .inProgress, clients)
            #expect(try await eventually { try await Self.silences(4, clients).count == 2 })

            // Back to pending: its silence goes, the other task keeps the machine in maintenance.
            try await Self.setStatus(first.id, .pending, clients)
            #expect(try await eventually { try await Self.silences(4, clients).map(\.key) == ["task-\(second.id)"] })
            #expect(try await Self.machine(4, clients).status == .maintenance)

            // Deleting the last task in progress ends the maintenance.
            _ = try await clients.scheduling.deleteTask(DeleteTaskRequest(taskID: second.id))
            #expect(try await eventually { try await Self.silences(4, clients).isEmpty })
            #expect(try await eventually { try await Self.machine(4, clients).status == .healthy })

            // Cancelling work in progress ends it too.
            try await Self.setStatus(first.id, .inProgress, clients)
            #expect(try await eventually { try await Self.machine(4, clients).status == .maintenance })
            try await Self.setStatus(first.id, .cancelled, clients)
            #expect(try await eventually { try await Self.machine(4, clients).status == .healthy })
            #expect(try await Self.silences(4, clients).isEmpty)
        }
    }
}
