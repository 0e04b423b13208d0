import Hummingbird
import PMProto
import PMServices

/// `GET /api/predictions`: the newest predictions of every Detection replica, merged, newest first.
struct PredictionRoutes {
    let clients: ServiceClients
    let names: EquipmentNames

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/predictions") { request, context in try await list(.init(request: request, context: context)) }
    }

    private func list(_ parameters: RequestParameters) async throws -> Response {
        let limit = try parameters.limit(default: 50, max: 1000)
        let machine = try parameters.int("equipment_id", in: 1...Int64.max) ?? 0
        let replicas = machine == 0 ? clients.detection : [clients.detection(for: machine)]
        let predictions = try await withThrowingTaskGroup(of: [Prediction].self) { group in
            for replica in replicas {
                group.addTask { try await replica.listPredictions(.init(equipmentID: machine, limit: limit)).predictions }
            }
            return try await group.reduce(into: [Prediction]()) { $0 += $1 }
        }
        .sorted { ($0.timestampMs, $0.id) > ($1.timestampMs, $1.id) }
        .prefix(Int(limit))
        let names = try await names.names(for: predictions.map(\.equipmentID))
        return JSONWriter.document { json in
            json.array(predictions) { $0.write($1, equipmentName: names[$1.equipmentID]) }
        }.response()
    }
}
