import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

@Suite("Preventive rules")
struct PreventiveRuleTests {
    static func rule(machine: Int64 = 0, type: String = "", every days: UInt32 = 30, firstDue: String = "") -> PreventiveRule {
        PreventiveRule(
            equipmentID: machine, equipmentType: type, task: "Lubricate bearings", intervalDays: days, priority: .low,
            firstDueDate: firstDue, createdBy: "planner")
    }

    static func ruleTasks(_ rule: Int64, _ clients: SchedulingTest.Clients) async throws -> [MaintenanceTask] {
        try await clients.scheduling.listTasks(ListTasksRequest(limit: 500)).tasks.filter { $0.ruleID == rule }
    }

    static func open(_ tasks: [MaintenanceTask]) -> [MaintenanceTask] {
        tasks.filter { $0.status == .pending || $0.status == .inProgress }
    }

    @Test("a machine's rule makes its first task when due, the next one when the previous is completed, cancelled or deleted")
    func machineRule() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            let client = clients.scheduling
            let request = CreatePreventiveRuleRequest(rule: Self.rule(machine: 1, every: 10, firstDue: "2030-01-15"), idempotencyKey: "r1")
            let rule = try #require(try await client.createPreventiveRule(request).rule)
            #expect(rule.id > 0 && rule.createdAtMs > 0 && rule.priority == .low)
            #expect(try await client.createPreventiveRule(request).rule == rule)

            let first = try #require(try await Self.ruleTasks(rule.id, clients).first)
            #expect(first.scheduledDate == "2030-01-15" && first.source == "preventive" && first.equipmentID == 1 && first.priority == .low)

            // Completed today: the next one is due ten days from today.
            _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: first.id, status: .completed))
            let second = try #require(Self.open(try await Self.ruleTasks(rule.id, clients)).first)
            #expect(second.scheduledDate == AlertTaskTests.dayUTC(daysFromToday: 10))

            // Cancelled: the schedule goes on from the date it had.
            _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: second.id, status: .cancelled))
            let third = try #require(Self.open(try await Self.ruleTasks(rule.id, clients)).first)
            #expect(third.scheduledDate == AlertTaskTests.dayUTC(daysFromToday: 20))

            // Deleted: the same, skipping to the next one.
            _ = try await client.deleteTask(DeleteTaskRequest(taskID: third.id))
            let fourth = try #require(Self.open(try await Self.ruleTasks(rule.id, clients)).first)
            #expect(fourth.scheduledDate == AlertTaskTests.dayUTC(daysFromToday: 30))
            #expect(Self.open(try await Self.ruleTasks(rule.id, clients)).count == 1)

            // A deleted rule makes no more tasks; the ones it made stay.
            #expect(try await client.deletePreventiveRule(DeletePreventiveRuleRequest(ruleID: rule.id)).deleted)
            #expect(try await !client.deletePreventiveRule(DeletePreventiveRuleRequest(ruleID: rule.id)).deleted)
            _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: fourth.id, status: .completed))
            #expect(Self.open(try await Self.ruleTasks(rule.id, clients)).isEmpty)
            #expect(try await client.listPreventiveRules(ListPreventiveRulesRequest()).rules.isEmpty)
        }
    }

    @Test("a machine type's rule covers each machine of the type, including one registered later")
    func typeRule() async throws {
        let folder = try TemporaryFolder()
        let today = AlertTaskTests.todayUTC
        try await SchedulingTest.with(folder: folder, environment: ["SCHEDULING_RULE_CHECK_SECONDS": "1"]) { clients in
            let rule = try #require(
                try await clients.scheduling.createPreventiveRule(CreatePreventiveRuleRequest(rule: Self.rule(type: "industrial_pump")))
                    .rule)
            #expect(rule.firstDueDate == today)
            let first = try await Self.ruleTasks(rule.id, clients)
            #expect(first.map(\.equipmentID) == [5] && first.first?.scheduledDate == today)

            let pump = try #require(
                try await clients.ingest.registerEquipment(
                    RegisterEquipmentRequest(equipment: Equipment(name: "Pump IP-7", type: "industrial_pump"))
                ).equipment)
            #expect(try await eventually { try await Self.ruleTasks(rule.id, clients).map(\.equipmentID).sorted() == [5, pump.id] })

            let listed = try await clients.scheduling.listPreventiveRules(ListPreventiveRulesRequest(equipmentType: "industrial_pump"))
            #expect(listed.rules == [rule])
            #expect(try await clients.scheduling.listPreventiveRules(ListPreventiveRulesRequest(equipmentID: 5)).rules.isEmpty)
        }
        // A restart adds nothing: each machine already has its task from the rule.
        try await SchedulingTest.with(folder: folder, environment: ["SCHEDULING_RULE_CHECK_SECONDS": "1"]) { clients in
            let tasks = try await clients.scheduling.listTasks(ListTasksRequest()).tasks.filter { $0.source == "preventive" }
            #expect(tasks.count == 2)
        }
    }

    @Test("bad rules are INVALID_ARGUMENT naming the field")
    func badRules() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            var unknownPriority = Self.rule(machine: 1)
            unknownPriority.priority = Priority(rawValue: 9)
            let cases: [(String, PreventiveRule)] = [
                ("rule.equipment_id", Self.rule()),
                ("rule.equipment_id", Self.rule(machine: 1, type: "pump")),
                ("rule.equipment_id", Self.rule(machine: 99)),
                ("rule.equipment_id", Self.rule(machine: -1)),
                ("rule.interval_days", Self.rule(machine: 1, every: 0)),
                ("rule.interval_days", Self.rule(machine: 1, every: 4000)),
                ("rule.first_due_date", Self.rule(machine: 1, firstDue: "2026-13-01")),
                ("rule.task", PreventiveRule(equipmentID: 1, task: " ", intervalDays: 7)),
                ("rule.task", PreventiveRule(equipmentID: 1, task: String(repeating: "t", count: 501), intervalDays: 7)),
                ("rule.priority", unknownPriority),
                ("rule.id", PreventiveRule(id: 5, equipmentID: 1, task: "x", intervalDays: 7)),
            ]
            for (field, rule) in cases {
                let error = await expectRPCError(.invalidArgument) {
                    _ = try await clients.scheduling.createPreventiveRule(CreatePreventiveRuleRequest(rule: rule))
                }
                #expect(error?.metadata["field"] == field, "\(rule)")
            }
            await expectRPCError(.invalidArgument) {
                _ = try await clients.scheduling.deletePreventiveRule(DeletePreventiveRuleRequest(ruleID: 0))
            }
            let stored = try await clients.scheduling.listPreventiveRules(ListPreventiveRulesRequest()).rules
            #expect(stored.isEmpty)
        }
    }
}
