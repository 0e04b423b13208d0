import Hummingbird
import PMProto
import PMServices

/// `/api/preventive-rules` (Scheduling): "every N days, do this" for a machine or a machine type.
struct PreventiveRuleRoutes {
    let clients: ServiceClients

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/preventive-rules") { request, context in try await list(.init(request: request, context: context)) }
        router.post("/api/preventive-rules") { request, context in try await create(request) }
        router.delete("/api/preventive-rules/:id") { request, context in try await delete(.init(request: request, context: context)) }
    }

    private func list(_ parameters: RequestParameters) async throws -> Response {
        let rules = try await clients.scheduling.listPreventiveRules(
            .init(
                equipmentID: try parameters.int("equipment_id", in: 1...Int64.max) ?? 0,
                equipmentType: try parameters.string("equipment_type") ?? "")
        ).rules
        return JSONWriter.document { json in json.array(rules) { $0.write($1) } }.response()
    }

    private struct NewRule: Decodable {
        var equipmentId: Int64?
        var equipmentType: String?
        var task: String
        var intervalDays: Int64
        var priority: String?
        var firstDueDate: String?
    }

    private func create(_ request: Request) async throws -> Response {
        let body = try await RequestBody.decode(NewRule.self, from: request)
        guard (1...36_500).contains(body.intervalDays) else {
            throw APIError.invalid("interval_days", "interval_days must be 1 to 36,500")
        }
        let rule = PreventiveRule(
            equipmentID: body.equipmentId ?? 0, equipmentType: body.equipmentType ?? "", task: body.task,
            intervalDays: UInt32(body.intervalDays),
            priority: try body.priority.map { try EnumInput.parse($0, field: "priority") } ?? .medium,
            firstDueDate: body.firstDueDate ?? "")
        if let machine = body.equipmentId { try ServiceRefusals.requirePositive(machine) }
        let created = try await ServiceRefusals.unknownMachineAsNotFound {
            try await clients.scheduling.createPreventiveRule(.init(rule: rule, idempotencyKey: try idempotencyKey(request)))
        }
        return JSONWriter.document { $0.write(created.rule ?? rule) }.response(status: .created)
    }

    private func delete(_ parameters: RequestParameters) async throws -> Response {
        let id = try parameters.id()
        guard try await clients.scheduling.deletePreventiveRule(.init(ruleID: id)).deleted else {
            throw APIError.notFound("preventive rule \(id) does not exist")
        }
        return Response(status: .noContent)
    }
}
