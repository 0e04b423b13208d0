import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

@Suite("Maintenance tasks")
struct TaskTests {
    @Test("create, get, update, move through statuses, delete; idempotent by key; final statuses stay final")
    func lifecycle() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            let client = clients.scheduling
            let task = try #require(try await client.createTask(SchedulingTest.create(key: "seals-1")).task)
            #expect(task.status == .pending && task.priority == .high && task.source == "manual" && task.id > 0)
            #expect(try await client.createTask(SchedulingTest.create(key: "seals-1")).task?.id == task.id)
            #expect(try await client.getTask(GetTaskRequest(taskID: task.id)).task == task)

            let moved = try #require(
                try await client.updateTask(UpdateTaskRequest(taskID: task.id, scheduledDate: "2026-12-22", notes: "order seals")).task)
            #expect(moved.scheduledDate == "2026-12-22" && moved.notes == "order seals" && moved.priority == .high)

            let started = try #require(
                try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: task.id, status: .inProgress)).task)
            #expect(started.status == .inProgress)
            // The same status again is a no-op, so a retry is safe.
            #expect(try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: task.id, status: .inProgress)).task == started)
            let done = try #require(try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: task.id, status: .completed)).task)
            #expect(done.status == .completed && done.completedAtMs > 0)
            await expectRPCError(.failedPrecondition) {
                _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: task.id, status: .pending))
            }
            await expectRPCError(.failedPrecondition) {
                _ = try await client.updateTask(UpdateTaskRequest(taskID: task.id, priority: .low))
            }

            // Notes appended by status changes stay within the notes limit.
            let cycled = try #require(try await client.createTask(SchedulingTest.create()).task)
            let note = String(repeating: "n", count: 3000)
            _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: cycled.id, status: .inProgress, note: note))
            let tooLong = await expectRPCError(.invalidArgument) {
                _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: cycled.id, status: .pending, note: note))
            }
            #expect(tooLong?.metadata["field"] == "note")

            _ = try await client.deleteTask(DeleteTaskRequest(taskID: task.id))
            await expectRPCError(.notFound) { _ = try await client.getTask(GetTaskRequest(taskID: task.id)) }
            await expectRPCError(.notFound) { _ = try await client.deleteTask(DeleteTaskRequest(taskID: task.id)) }
        }
    }

    @Test("the caller's pm-actor metadata is who created, started, completed or cancelled a task")
    func actorFromCallMetadata() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            let client = clients.scheduling
            func by(_ name: String) -> CallOptions { CallOptions(metadata: [Metadata.Keys.actor: name]) }
            let task = try #require(try await client.createTask(SchedulingTest.create(), options: by("gus")).task)
            #expect(task.createdBy == "gus" && task.startedBy.isEmpty)
            let started = try await client.updateTaskStatus(
                UpdateTaskStatusRequest(taskID: task.id, status: .inProgress), options: by("hana"))
            #expect(started.task?.startedBy == "hana")
            let done = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: task.id, status: .completed), options: by("ivo"))
            #expect(done.task?.startedBy == "hana" && done.task?.completedBy == "ivo" && done.task?.cancelledBy == "")
            let other = try #require(try await client.createTask(SchedulingTest.create()).task)
            #expect(other.createdBy.isEmpty, "a call without the metadata records nobody")
            let cancelled = try await client.updateTaskStatus(
                UpdateTaskStatusRequest(taskID: other.id, status: .cancelled), options: by("jo"))
            #expect(cancelled.task?.cancelledBy == "jo")
            #expect(try await client.getTask(GetTaskRequest(taskID: other.id)).task?.cancelledBy == "jo")
            let rule = try await client.createPreventiveRule(
                CreatePreventiveRuleRequest(rule: PreventiveRule(equipmentID: 1, task: "grease", intervalDays: 30, createdBy: "body")),
                options: by("kai"))
            #expect(rule.rule?.createdBy == "kai")
        }
    }

    @Test("unknown machines, impossible dates and other bad input are INVALID_ARGUMENT naming the field")
    func badInput() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            let client = clients.scheduling
            let cases: [(String, CreateTaskRequest)] = [
                ("equipment_id", SchedulingTest.create(99)),
                ("equipment_id", SchedulingTest.create(0)),
                ("scheduled_date", SchedulingTest.create(date: "2026-02-30")),
                ("scheduled_date", SchedulingTest.create(date: "20-12-2026")),
                ("scheduled_date", SchedulingTest.create(date: "")),
                ("priority", SchedulingTest.create(priority: Priority(rawValue: 9))),
                ("task", CreateTaskRequest(equipmentID: 1, task: "  ", scheduledDate: "2026-12-20")),
                ("source", CreateTaskRequest(equipmentID: 1, task: "x", scheduledDate: "2026-12-20", source: "robot")),
            ]
            for (field, request) in cases {
                let error = await expectRPCError(.invalidArgument) { _ = try await client.createTask(request) }
                #expect(error?.metadata["field"] == field, "\(request)")
            }
            let leapDay = try await client.createTask(SchedulingTest.create(date: "2028-02-29"))
            #expect(leapDay.task?.scheduledDate == "2028-02-29")
            let badToken = await expectRPCError(.invalidArgument) { _ = try await client.listTasks(ListTasksRequest(pageToken: "x")) }
            #expect(badToken?.metadata["field"] == "page_token")
            await expectRPCError(.invalidArgument) { _ = try await client.listTasks(ListTasksRequest(limit: 1001)) }
            await expectRPCError(.invalidArgument) {
                _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: 1, status: .unspecified))
            }
            // Every other call names the field it refuses.
            let refusals: [(String, @Sendable () async throws -> Void)] = [
                ("scheduled_date", { _ = try await client.updateTask(UpdateTaskRequest(taskID: 1, scheduledDate: "2026-04-31")) }),
                ("priority", { _ = try await client.updateTask(UpdateTaskRequest(taskID: 1, priority: Priority(rawValue: 7))) }),
                ("notes", { _ = try await client.updateTask(UpdateTaskRequest(taskID: 1, notes: String(repeating: "n", count: 4001))) }),
                ("task_id", { _ = try await client.updateTask(UpdateTaskRequest(taskID: -1, priority: .low)) }),
                ("task_id", { _ = try await client.getTask(GetTaskRequest(taskID: 0)) }),
                ("task_id", { _ = try await client.deleteTask(DeleteTaskRequest(taskID: 0)) }),
                ("from_date", { _ = try await client.listTasks(ListTasksRequest(fromDate: "yesterday")) }),
                ("equipment_id", { _ = try await client.listTasks(ListTasksRequest(equipmentID: -3)) }),
                ("today", { _ = try await client.scheduleStats(ScheduleStatsRequest(today: "2026-1-1")) }),
                ("equipment_id", { _ = try await client.listPreventiveRules(ListPreventiveRulesRequest(equipmentID: -1)) }),
            ]
            for (field, call) in refusals {
                let error = await expectRPCError(.invalidArgument) { try await call() }
                #expect(error?.metadata["field"] == field)
            }
        }
    }

    @Test("listing filters by machine, status, priority and dates, in date order, in pages; stats count overdue work")
    func listingAndStats() async throws {
        let folder = try TemporaryFolder()
        try await SchedulingTest.with(folder: folder) { clients in
            let client = clients.scheduling
            let dates = ["2026-12-05", "2026-12-01", "2026-12-03", "2026-12-01", "2026-12-09", "2026-12-07"]
            var ids: [Int64] = []
            for (index, date) in dates.enumerated() {
                let priority: Priority = index % 2 == 0 ? .high : .low
                ids.append(
                    try #require(
                        try await client.createTask(SchedulingTest.create(Int64(index % 3 + 1), date: date, priority: priority)).task?.id))
            }
            _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: ids[4], status: .inProgress))
            _ = try await client.updateTaskStatus(UpdateTaskStatusRequest(taskID: ids[5], status: .completed))

            let all = try await client.listTasks(ListTasksRequest()).tasks
            #expect(all.map(\.scheduledDate) == dates.sorted())
            #expect(try await client.listTasks(ListTasksRequest(equipmentID: 2)).tasks.count == 2)
            #expect(try await client.listTasks(ListTasksRequest(status: .inProgress)).tasks.map(\.id) == [ids[4]])
            #expect(try await client.listTasks(ListTasksRequest(priority: .low)).tasks.count == 3)
            #expect(try await client.listTasks(ListTasksRequest(fromDate: "2026-12-03", toDate: "2026-12-07")).tasks.count == 3)

            var paged: [MaintenanceTask] = []
            var token = ""
            repeat {
                let page = try await client.listTasks(ListTasksRequest(limit: 4, pageToken: token))
                paged += page.tasks
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(paged.map(\.id) == all.map(\.id))

            let stats = try await client.scheduleStats(ScheduleStatsRequest(today: "2026-12-08"))
            #expect(stats.pending == 4 && stats.inProgress == 1 && stats.completed == 1)
            #expect(stats.overdue == 4)  // pending or in progress, scheduled before the 8th
        }
    }
}
