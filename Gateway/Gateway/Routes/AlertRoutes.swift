import Hummingbird
import PMProto
import PMServices

/// `/api/alerts` (Alerting): the seed's list and acknowledge, plus filters, detail with history and resolve.
struct AlertRoutes {
    let clients: ServiceClients
    let names: EquipmentNames

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/alerts") { request, context in try await list(.init(request: request, context: context)) }
        router.get("/api/alerts/:id") { request, context in try await detail(.init(request: request, context: context)) }
        router.post("/api/alerts/:id/acknowledge") { request, context in
            try await change(request, .init(request: request, context: context), to: .acknowledged)
        }
        router.post("/api/alerts/:id/resolve") { request, context in
            try await change(request, .init(request: request, context: context), to: .resolved)
        }
    }

    private func list(_ parameters: RequestParameters) async throws -> Response {
        let acknowledged = try parameters.bool("acknowledged")
        var state = try parameters.enumeration("state", as: AlertState.self)
        // The seed's `acknowledged=false` meant "needs someone": open alerts, not resolved ones.
        if acknowledged == false && state == nil { state = .open }
        let request = ListAlertsRequest(
            acknowledged: acknowledged, state: state ?? .unspecified,
            minSeverity: try parameters.enumeration("severity", as: Severity.self) ?? .unspecified,
            equipmentID: try parameters.int("equipment_id", in: 1...Int64.max) ?? 0,
            limit: try parameters.limit(default: 100, max: 500),
            beforeID: try parameters.int("before_id", in: 1...Int64.max) ?? 0,
            fromMs: try parameters.timestamp("from") ?? 0, toMs: try parameters.timestamp("to") ?? 0,
            kind: try parameters.string("kind", maxLength: 100) ?? "")
        let alerts = try await clients.alerting.listAlerts(request).alerts
        let names = try await names.names(for: alerts.map(\.equipmentID))
        return JSONWriter.document { json in
            json.array(alerts) { $0.write($1, equipmentName: names[$1.equipmentID]) }
        }.response()
    }

    private func detail(_ parameters: RequestParameters) async throws -> Response {
        let response = try await clients.alerting.getAlert(.init(alertID: try parameters.id()))
        guard let alert = response.alert else { throw APIError.notFound("alert does not exist") }
        let name = try await names.names(for: [alert.equipmentID])[alert.equipmentID]
        return JSONWriter.document { json in
            json.object { json in
                json.writeFields(of: alert, equipmentName: name)
                json.key("history")
                json.array(response.history) { $0.write($1) }
            }
        }.response()
    }

    private func change(_ request: Request, _ parameters: RequestParameters, to state: AlertState) async throws -> Response {
        let id = try parameters.id()
        let note = try await RequestBody.decode(ActionNote.self, from: request, emptyAllowed: true).note ?? ""
        let alert: Alert?
        switch state {
        case .acknowledged:
            alert = try await clients.alerting.acknowledgeAlert(.init(alertID: id, note: note)).alert
        default: alert = try await clients.alerting.resolveAlert(.init(alertID: id, note: note)).alert
        }
        guard let alert else { throw APIError.notFound("alert \(id) does not exist") }
        let name = try await names.names(for: [alert.equipmentID])[alert.equipmentID]
        return JSONWriter.document { json in
            json.object { json in
                json.field("status", enumeration: state)
                json.field("id", id)
                json.key("alert")
                json.write(alert, equipmentName: name)
            }
        }.response()
    }
}
