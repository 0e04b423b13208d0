import Foundation
import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

/// Scheduling as a real process, killed with SIGKILL while it follows Alerting's alerts and while a
/// status change's effects are pending: after a restart on the same files, every alert has made
/// exactly one task and the effects are carried out.
@Suite("Scheduling across a crash")
struct SchedulingCrashTests {
    static let token = "scheduling-crash-token"
    static let kinds = (1...8).map { "anomaly:sensor-\($0)" }

    static func start(_ executable: String, _ folder: TemporaryFolder, _ environment: [String: String] = [:]) async throws -> ServiceProcess
    {
        try await ServiceProcess.started(executable, folder: folder, token: token, environment: environment)
    }

    static func raise(_ client: AlertingServiceClient, machines: ClosedRange<Int64>) async throws {
        for machine in machines {
            for kind in kinds {
                _ = try await client.raiseAlert(
                    RaiseAlertRequest(
                        eventID: "\(machine)-\(kind)", equipmentID: machine, severity: .warning, title: "Drift", kind: kind))
            }
        }
    }

    static func kill(_ process: ServiceProcess, _ client: SchedulingServiceClient) async throws {
        Foundation.kill(process.process.processIdentifier, SIGKILL)
        await client.rpcClient.close()
        #expect(try await eventually { !process.process.isRunning })
    }

    @Test("kill -9 while following alerts and with effects pending: after the restart one task per alert, effects carried out")
    func killAndRestart() async throws {
        let folder = try TemporaryFolder()
        let ingest = try await Self.start("ingest", folder)
        let alerting = try await Self.start("alerting", folder)
        let peers = ["INGEST_RPC_PORT": "\(ingest.port)", "ALERTING_RPC_PORT": "\(alerting.port)", "DETECTION_RPC_PORT": "1"]
        let alertingClient = AlertingServiceClient(alerting.rpcClient(token: Self.token))
        let ingestClient = IngestServiceClient(ingest.rpcClient(token: Self.token))

        let first = try await Self.start("scheduling", folder, peers)
        let firstClient = SchedulingServiceClient(first.rpcClient(token: Self.token))
        try await Self.raise(alertingClient, machines: 1...3)
        // Killed as soon as it has begun: some alerts are made into tasks, the rest are not yet.
        #expect(
            try await eventually(timeout: .seconds(60)) { try await !firstClient.listTasks(ListTasksRequest(limit: 500)).tasks.isEmpty })
        try await Self.kill(first, firstClient)
        // Alerts raised while Scheduling is down are waiting in Alerting's stream.
        try await Self.raise(alertingClient, machines: 4...6)

        let second = try await Self.start("scheduling", folder, peers)
        let client = SchedulingServiceClient(second.rpcClient(token: Self.token))
        let expected = 6 * Self.kinds.count
        #expect(
            try await eventually(timeout: .seconds(60)) { try await client.listTasks(ListTasksRequest(limit: 500)).tasks.count >= expected }
        )
        let tasks = try await client.listTasks(ListTasksRequest(limit: 500)).tasks
        #expect(tasks.count == expected)
        #expect(Set(tasks.map(\.alertID)).count == expected)

        // A task started just before a crash: its effect was committed with the change and survives it.
        let task = try #require(tasks.first { $0.equipmentID == 5 })
        _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: task.id, status: .inProgress))
        try await Self.kill(second, client)
        let third = try await Self.start("scheduling", folder, peers)
        #expect(
            try await eventually(timeout: .seconds(60)) {
                try await ingestClient.getEquipment(GetEquipmentRequest(equipmentID: 5)).equipment?.status == .maintenance
            })
        #expect(
            try await eventually(timeout: .seconds(60)) {
                try await alertingClient.listSilences(ListSilencesRequest(equipmentID: 5)).silences.map(\.key) == ["task-\(task.id)"]
            })

        await alertingClient.rpcClient.close()
        await ingestClient.rpcClient.close()
        #expect(try await third.terminate() == 0)
        #expect(try await alerting.terminate() == 0)
        #expect(try await ingest.terminate() == 0)
    }
}
