import Foundation
import Hummingbird
import PMProto
import PMServices
import ReadingFormats

/// `POST /api/sensor-data` (one reading, answered as the seed did, with the owning Detection replica's
/// current verdict) and `POST /api/sensor-data/batch` (a JSON array or a CSV file).
struct SensorDataRoutes {
    let clients: ServiceClients
    let feed: LiveFeed
    let maxBatchReadings: Int

    /// How long a reading's answer waits for its verdict; the reading is stored either way.
    let scoreTimeout: Duration

    func register(on router: Router<GatewayRequestContext>) {
        router.post("/api/sensor-data") { request, context in try await record(request, context.identity) }
        router.post("/api/sensor-data/batch") { request, context in try await recordBatch(request, context.identity) }
    }

    private func record(_ request: Request, _ identity: Identity?) async throws -> Response {
        let input = try await RequestBody.decode(SensorDataInput.self, from: request)
        try Self.requireWritable([input.equipmentId], by: identity)
        var stored = input.reading
        // A reading without a time gets Ingest's clock, unique per machine (two readings stamped in the
        // same millisecond here would collide as duplicates); the result says which time was stored.
        let response = try await clients.ingest.recordReadings(.init(readings: [stored]))
        guard let result = response.results.first else { throw APIError(.internalServerError, code: "internal", message: "no result") }
        if result.outcome == .rejected { throw ServiceRefusals.rejectedReading(result) }
        stored.sequence = result.sequence
        stored.timestampMs = result.timestampMs
        let verdict = try? await clients.detection(for: stored.equipmentID)
            .score(.init(readings: [stored]), options: .init(timeout: scoreTimeout)).scores.first
        // The live feed's view (polled each second); a machine it has not seen yet is asked for.
        var status = feed.status(of: stored.equipmentID)
        if status == nil { status = try await clients.ingest.getEquipment(.init(equipmentID: stored.equipmentID)).equipment?.status }
        let model = verdict.map { $0.modelReady ? "ready" : "insufficient_data" } ?? "unavailable"
        let ready = verdict?.modelReady == true ? verdict : nil
        return JSONWriter.document { json in
            json.object { json in
                json.field("status", "ok")
                json.field("equipment_id", stored.equipmentID)
                json.field("timestamp", time: stored.timestampMs)
                json.field("anomaly", ready?.anomaly ?? false)
                json.field("equipment_status", status?.shortName)
                json.field("score", ready?.score)
                json.field("confidence", ready?.confidence)
                json.field("severity", ready.flatMap { $0.anomaly ? $0.severity.shortName : nil })
                json.field("model", model)
                json.field("sequence", result.sequence)
                json.field("duplicate", result.outcome == .duplicate)
            }
        }.response()
    }

    /// A device key limited to some machines writes only those: a key leaked from one plant cannot
    /// write another plant's machines.
    static func requireWritable(_ machines: some Sequence<Int64>, by identity: Identity?) throws {
        guard let identity, let denied = machines.first(where: { !identity.may(write: $0) }) else { return }
        throw APIError(.forbidden, code: "permission_denied", message: "this key may not write machine \(denied)", field: "equipment_id")
    }

    private func recordBatch(_ request: Request, _ identity: Identity?) async throws -> Response {
        // A reading as JSON is ~150-300 bytes (more, pretty-printed with a long reading id); as CSV ~80.
        let body = try await RequestBody.bytes(of: request, limit: maxBatchReadings * 1024 + 4096)
        let contentType = request.headers[.contentType]?.lowercased() ?? "application/json"
        let readings: [Reading]
        if contentType.contains("csv") || contentType.hasPrefix("text/plain") {
            readings = try parseCSV(String(buffer: body))
        } else if contentType.contains("json") {
            readings = try RequestBody.decode([SensorDataInput].self, from: Data(buffer: body)).map(\.reading)
        } else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send a JSON array (application/json) or a CSV file (text/csv)")
        }
        guard !readings.isEmpty else { throw APIError.invalid(nil, "the batch holds no readings") }
        try Self.requireWritable(readings.map(\.equipmentID), by: identity)
        guard readings.count <= maxBatchReadings else {
            throw APIError(
                .contentTooLarge, code: "payload_too_large", message: "a batch holds at most \(maxBatchReadings) readings; split it")
        }
        let response = try await clients.ingest.recordReadings(.init(columns: ReadingColumns(readings)))
        return JSONWriter.document { json in
            json.object { json in
                json.field("accepted", response.accepted)
                json.field("duplicates", response.duplicates)
                json.field("rejected", response.rejected)
                json.key("errors")
                json.array(response.results.filter { $0.outcome == .rejected }) { json, result in
                    json.object { json in
                        json.field("index", result.index)
                        json.field("field", ServiceRefusals.publicField(result.field))
                        json.field("message", result.reason)
                    }
                }
            }
        }.response()
    }

    private func parseCSV(_ text: String) throws -> [Reading] {
        do {
            return try CSVReadingParser(equipmentID: nil).parse(text)
        } catch let error as CSVReadingParser.LineError {
            throw APIError.invalid("line \(error.line)", error.description)
        }
    }
}
