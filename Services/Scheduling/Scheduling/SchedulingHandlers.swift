import PMProto
import PMRPC
import PMServices
import ServiceKit

/// The SchedulingService methods, one line each, over the task and rule stores and the dashboard gatherer.
struct SchedulingHandlers: SchedulingServiceProtocol {
    let tasks: TaskStore
    let rules: PreventiveRuleStore
    let dashboard: DashboardStatsGatherer

    func createTask(_ request: CreateTaskRequest, context: ServerContext) async throws -> CreateTaskResponse {
        CreateTaskResponse(task: try await tasks.create(request, by: context.actor(or: ""), now: WallClock.nowMs()))
    }

    func listTasks(_ request: ListTasksRequest, context: ServerContext) async throws -> ListTasksResponse {
        try await tasks.list(request)
    }

    func updateTaskStatus(_ request: UpdateTaskStatusRequest, context: ServerContext) async throws -> UpdateTaskStatusResponse {
        UpdateTaskStatusResponse(task: try await tasks.updateStatus(request, by: context.actor(or: ""), now: WallClock.nowMs()))
    }

    func deleteTask(_ request: DeleteTaskRequest, context: ServerContext) async throws -> DeleteTaskResponse {
        try await tasks.delete(request.taskID, now: WallClock.nowMs())
        return DeleteTaskResponse()
    }

    func scheduleStats(_ request: ScheduleStatsRequest, context: ServerContext) async throws -> ScheduleStatsResponse {
        try await tasks.stats(today: request.today.isEmpty ? CalendarDay.of(ms: WallClock.nowMs()) : request.today)
    }

    func getTask(_ request: GetTaskRequest, context: ServerContext) async throws -> GetTaskResponse {
        GetTaskResponse(task: try await tasks.get(request.taskID))
    }

    func updateTask(_ request: UpdateTaskRequest, context: ServerContext) async throws -> UpdateTaskResponse {
        UpdateTaskResponse(task: try await tasks.update(request, now: WallClock.nowMs()))
    }

    func createPreventiveRule(_ request: CreatePreventiveRuleRequest, context: ServerContext) async throws -> CreatePreventiveRuleResponse {
        CreatePreventiveRuleResponse(
            rule: try await rules.create(request, by: context.actor(or: request.rule?.createdBy ?? ""), now: WallClock.nowMs()))
    }

    func listPreventiveRules(_ request: ListPreventiveRulesRequest, context: ServerContext) async throws -> ListPreventiveRulesResponse {
        ListPreventiveRulesResponse(rules: try await rules.list(request))
    }

    func deletePreventiveRule(_ request: DeletePreventiveRuleRequest, context: ServerContext) async throws -> DeletePreventiveRuleResponse {
        DeletePreventiveRuleResponse(deleted: try await rules.delete(request.ruleID))
    }

    func dashboardStats(_ request: DashboardStatsRequest, context: ServerContext) async throws -> DashboardStatsResponse {
        await dashboard.gather(now: WallClock.nowMs())
    }
}
