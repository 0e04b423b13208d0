import Hummingbird
import PMProto
import PMServices
import ServiceKit

/// `/api/equipment`: the machine registry (Ingest), each machine's latest and recent readings, its
/// reading history for charts, and its predictions (the Detection replica that owns it).
struct EquipmentRoutes {
    let clients: ServiceClients
    let names: EquipmentNames

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/equipment") { request, context in try await list(.init(request: request, context: context)) }
        router.post("/api/equipment") { request, _ in try await create(request) }
        router.get("/api/equipment/:id") { request, context in try await detail(.init(request: request, context: context)) }
        router.patch("/api/equipment/:id") { request, context in try await update(request, .init(request: request, context: context)) }
        router.get("/api/equipment/:id/readings") { request, context in try await readings(.init(request: request, context: context)) }
        router.get("/api/equipment/:id/predictions") { request, context in
            try await predictions(.init(request: request, context: context))
        }
    }

    private func list(_ parameters: RequestParameters) async throws -> Response {
        let machines = try await clients.ingest.allEquipment(
            status: try parameters.enumeration("status", as: EquipmentStatus.self) ?? .unspecified,
            type: try parameters.string("type") ?? "")
        let latest = try await clients.ingest.latestReadings(of: machines.map(\.id))
        return JSONWriter.document { json in
            json.array(machines) { json, machine in json.write(machine, latest: latest[machine.id]) }
        }.response()
    }

    private struct NewEquipment: Decodable {
        var id: Int64?
        var name: String
        var type: String
        var location: String?
        var installDate: String?
        var lastMaintenance: String?
        var status: String?
    }

    private func create(_ request: Request) async throws -> Response {
        let body = try await RequestBody.decode(NewEquipment.self, from: request)
        // Ids beyond 2^53 would lose digits in a browser's numbers.
        if let id = body.id, !(1...9_007_199_254_740_991).contains(id) {
            throw APIError.invalid("id", "id must be 1 to 9,007,199,254,740,991 (2^53 - 1)")
        }
        let machine = Equipment(
            id: body.id ?? 0, name: body.name, type: body.type, location: body.location ?? "", installDate: body.installDate ?? "",
            lastMaintenance: body.lastMaintenance ?? "",
            status: try body.status.map { try EnumInput.parse($0, field: "status") } ?? .unspecified)
        let created = try await clients.ingest.registerEquipment(.init(equipment: machine)).equipment ?? machine
        _ = try? await names.refresh()
        return JSONWriter.document { $0.write(created, latest: nil) }.response(status: .created)
    }

    private func detail(_ parameters: RequestParameters) async throws -> Response {
        let id = try parameters.id()
        async let found = clients.ingest.getEquipment(.init(equipmentID: id))
        async let recent = clients.ingest.queryReadings(.init(equipmentID: id, limit: 50, newestFirst: true))
        async let predicted = clients.detection(for: id).listPredictions(.init(equipmentID: id, limit: 10))
        let response = try await found
        guard let machine = response.equipment else { throw APIError.notFound("equipment \(id) does not exist") }
        let readings = try await recent.readings
        let predictions = try await predicted.predictions
        return JSONWriter.document { json in
            json.object { json in
                json.writeFields(of: machine)
                json.key("latest_reading")
                if let latest = response.latestReading { json.write(latest) } else { json.null() }
                json.key("recent_readings")
                json.array(readings) { $0.write($1) }
                json.key("predictions")
                json.array(predictions) { $0.write($1, equipmentName: machine.name) }
            }
        }.response()
    }

    private struct EquipmentChanges: Decodable {
        var name: String?
        var type: String?
        var location: String?
        var installDate: String?
        var lastMaintenance: String?
        var status: String?
    }

    private func update(_ request: Request, _ parameters: RequestParameters) async throws -> Response {
        let id = try parameters.id()
        let body = try await RequestBody.decode(EquipmentChanges.self, from: request)
        let updated = try await clients.ingest.updateEquipment(
            .init(
                equipmentID: id, name: body.name, type: body.type, location: body.location, installDate: body.installDate,
                lastMaintenance: body.lastMaintenance, status: try body.status.map { try EnumInput.parse($0, field: "status") }))
        guard let machine = updated.equipment else { throw APIError.notFound("equipment \(id) does not exist") }
        _ = try? await names.refresh()
        return JSONWriter.document { $0.write(machine, latest: nil) }.response()
    }

    private func readings(_ parameters: RequestParameters) async throws -> Response {
        let id = try parameters.id()
        let buckets = try parameters.int("buckets", in: 1...1000).map(UInt32.init) ?? 0
        let to = try parameters.timestamp("to")
        // Bucketed history defaults to the last 24 hours; raw history to everything (newest `limit`).
        let from = try parameters.timestamp("from") ?? (buckets > 0 ? (to ?? WallClock.nowMs()) - 86_400_000 : nil)
        if let from, let to, from >= to { throw APIError.invalid("from", "from must be before to") }
        let limit = try parameters.limit(default: 1000, max: 10_000)
        async let found = clients.ingest.getEquipment(.init(equipmentID: id))
        async let history = clients.ingest.queryReadings(
            .init(
                equipmentID: id, fromMs: from ?? 0, toMs: to ?? (buckets > 0 ? WallClock.nowMs() + 1 : 0), limit: buckets > 0 ? 0 : limit,
                buckets: buckets, newestFirst: buckets == 0))
        guard try await found.equipment != nil else { throw APIError.notFound("equipment \(id) does not exist") }
        let result = try await history
        return JSONWriter.document { json in
            json.object { json in
                json.field("equipment_id", id)
                json.field("from", from.map(Timestamps.string))
                json.field("to", to.map(Timestamps.string))
                json.key("readings")
                // Fetched newest first (so `limit` keeps the latest), returned oldest first for charts.
                json.array(result.readings.reversed()) { $0.write($1) }
                json.key("buckets")
                json.array(result.buckets) { json, bucket in json.write(bucket) }
            }
        }.response()
    }

    private func predictions(_ parameters: RequestParameters) async throws -> Response {
        let id = try parameters.id()
        let limit = try parameters.limit(default: 50, max: 1000)
        async let found = clients.ingest.getEquipment(.init(equipmentID: id))
        async let listed = clients.detection(for: id).listPredictions(.init(equipmentID: id, limit: limit))
        guard let machine = try await found.equipment else { throw APIError.notFound("equipment \(id) does not exist") }
        let predictions = try await listed.predictions
        return JSONWriter.document { json in
            json.array(predictions) { $0.write($1, equipmentName: machine.name) }
        }.response()
    }
}
