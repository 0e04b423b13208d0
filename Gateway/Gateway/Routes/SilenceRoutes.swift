import Hummingbird
import PMProto
import PMServices
import ServiceKit

/// `/api/silences` (Alerting): mute a machine's notifications for a while; alerts are still recorded.
struct SilenceRoutes {
    let clients: ServiceClients

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/silences") { request, context in try await list(.init(request: request, context: context)) }
        router.post("/api/silences") { request, context in try await create(request) }
        router.delete("/api/silences/:id") { request, context in try await delete(.init(request: request, context: context)) }
    }

    private func list(_ parameters: RequestParameters) async throws -> Response {
        let silences = try await clients.alerting.listSilences(
            .init(
                equipmentID: try parameters.int("equipment_id", in: 1...Int64.max) ?? 0,
                includeEnded: try parameters.bool("include_ended") ?? false)
        ).silences
        return JSONWriter.document { json in json.array(silences) { $0.write($1) } }.response()
    }

    private struct NewSilence: Decodable {
        var equipmentId: Int64
        var kind: String?
        var startsAt: TimestampInput?
        var endsAt: TimestampInput?
        var durationMinutes: Int64?
        var reason: String?
    }

    private func create(_ request: Request) async throws -> Response {
        let body = try await RequestBody.decode(NewSilence.self, from: request)
        try ServiceRefusals.requirePositive(body.equipmentId)
        let starts = body.startsAt?.ms ?? WallClock.nowMs()
        let ends: Int64
        switch (body.endsAt, body.durationMinutes) {
        case (let end?, nil): ends = end.ms
        case (nil, let minutes?):
            guard (1...525_600).contains(minutes) else {
                throw APIError.invalid("duration_minutes", "duration_minutes must be 1 to 525,600 (a year)")
            }
            ends = starts + minutes * 60_000
        default: throw APIError.invalid("ends_at", "give either ends_at or duration_minutes")
        }
        let silence = Silence(
            equipmentID: body.equipmentId, kind: body.kind ?? "", startsAtMs: starts, endsAtMs: ends, reason: body.reason ?? "")
        let created = try await clients.alerting.createSilence(.init(silence: silence))
        return JSONWriter.document { $0.write(created.silence ?? silence) }.response(status: .created)
    }

    private func delete(_ parameters: RequestParameters) async throws -> Response {
        let id = try parameters.id()
        guard try await clients.alerting.deleteSilence(.init(silenceID: id)).deleted else {
            throw APIError.notFound("silence \(id) does not exist")
        }
        return Response(status: .noContent)
    }
}
