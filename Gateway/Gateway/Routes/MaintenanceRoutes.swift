import Hummingbird
import PMProto
import PMServices

/// `/api/maintenance` (Scheduling): the seed's list and create, plus one task's detail, update, start,
/// complete, cancel and delete. Starting puts the machine in maintenance; completing makes it healthy,
/// records today's last_maintenance and resolves the alert the task came from (Scheduling does it).
struct MaintenanceRoutes {
    let clients: ServiceClients
    let names: EquipmentNames

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/maintenance") { request, context in try await list(.init(request: request, context: context)) }
        router.post("/api/maintenance") { request, _ in try await create(request) }
        router.get("/api/maintenance/:id") { request, context in try await detail(.init(request: request, context: context)) }
        router.patch("/api/maintenance/:id") { request, context in try await update(request, .init(request: request, context: context)) }
        router.delete("/api/maintenance/:id") { request, context in try await delete(.init(request: request, context: context)) }
        for (action, status) in [("start", TaskStatus.inProgress), ("complete", .completed), ("cancel", .cancelled)] {
            router.post("/api/maintenance/:id/\(action)") { request, context in
                try await change(request, .init(request: request, context: context), to: status)
            }
        }
    }

    private func list(_ parameters: RequestParameters) async throws -> Response {
        let request = ListTasksRequest(
            equipmentID: try parameters.int("equipment_id", in: 1...Int64.max) ?? 0,
            status: try parameters.enumeration("status", as: TaskStatus.self) ?? .unspecified,
            fromDate: try parameters.date("from") ?? "", toDate: try parameters.date("to") ?? "",
            limit: try parameters.limit(default: 100, max: 500),
            priority: try parameters.enumeration("priority", as: Priority.self) ?? .unspecified)
        let tasks = try await clients.scheduling.listTasks(request).tasks
        let names = try await names.names(for: tasks.map(\.equipmentID))
        return JSONWriter.document { json in
            json.array(tasks) { $0.write($1, equipmentName: names[$1.equipmentID]) }
        }.response()
    }

    private struct NewTask: Decodable {
        var equipmentId: Int64
        var task: String
        var scheduledDate: String
        var priority: String?
        var notes: String?
    }

    private func create(_ request: Request) async throws -> Response {
        let body = try await RequestBody.decode(NewTask.self, from: request)
        try ServiceRefusals.requirePositive(body.equipmentId)
        let created = try await ServiceRefusals.unknownMachineAsNotFound {
            try await clients.scheduling.createTask(
                .init(
                    equipmentID: body.equipmentId, task: body.task, scheduledDate: body.scheduledDate,
                    priority: try body.priority.map { try EnumInput.parse($0, field: "priority") } ?? .medium, notes: body.notes ?? "",
                    source: "manual", idempotencyKey: try idempotencyKey(request)))
        }
        guard let task = created.task else { throw APIError(.internalServerError, code: "internal", message: "no task") }
        let name = try await names.names(for: [task.equipmentID])[task.equipmentID]
        return JSONWriter.document { json in
            json.object { json in
                json.field("status", "created")
                json.field("id", task.id)
                json.key("task")
                json.write(task, equipmentName: name)
            }
        }.response()
    }

    private func detail(_ parameters: RequestParameters) async throws -> Response {
        try await respond(with: clients.scheduling.getTask(.init(taskID: try parameters.id())).task)
    }

    private struct TaskChanges: Decodable {
        var scheduledDate: String?
        var priority: String?
        var notes: String?
    }

    private func update(_ request: Request, _ parameters: RequestParameters) async throws -> Response {
        let id = try parameters.id()
        let body = try await RequestBody.decode(TaskChanges.self, from: request)
        return try await respond(
            with: clients.scheduling.updateTask(
                .init(
                    taskID: id, scheduledDate: body.scheduledDate,
                    priority: try body.priority.map { try EnumInput.parse($0, field: "priority") } ?? .unspecified, notes: body.notes)
            ).task)
    }

    private func change(_ request: Request, _ parameters: RequestParameters, to status: TaskStatus) async throws -> Response {
        let id = try parameters.id()
        let note = try await RequestBody.decode(ActionNote.self, from: request, emptyAllowed: true).note ?? ""
        return try await respond(with: clients.scheduling.updateTaskStatus(.init(taskID: id, status: status, note: note)).task)
    }

    private func delete(_ parameters: RequestParameters) async throws -> Response {
        _ = try await clients.scheduling.deleteTask(.init(taskID: try parameters.id()))
        return Response(status: .noContent)
    }

    private func respond(with task: MaintenanceTask?) async throws -> Response {
        guard let task else { throw APIError.notFound("the task does not exist") }
        let name = try await names.names(for: [task.equipmentID])[task.equipmentID]
        return JSONWriter.document { $0.write(task, equipmentName: name) }.response()
    }
}
