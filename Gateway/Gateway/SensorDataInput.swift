import PMProto
import PMRPC

/// One reading as clients post it (the seed's body, plus an optional time and idempotency key).
struct SensorDataInput: Decodable {
    var equipmentId: Int64
    var temperature: Double
    var vibration: Double
    var pressure: Double
    var powerConsumption: Double
    var efficiency: Double
    var timestamp: TimestampInput?
    var readingId: String?

    /// The reading Ingest records; a missing time is Ingest's "now".
    var reading: Reading {
        Reading(
            equipmentID: equipmentId, timestampMs: timestamp?.ms ?? 0, temperature: temperature, vibration: vibration,
            pressure: pressure, powerConsumption: powerConsumption, efficiency: efficiency, readingID: readingId ?? "")
    }
}

/// A time in a request body: an ISO 8601 string or Unix milliseconds.
struct TimestampInput: Decodable {
    var ms: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let ms = try? container.decode(Int64.self), (0...Int64(253_402_300_799_999)).contains(ms) {
            self.ms = ms
        } else if let text = try? container.decode(String.self), let ms = Timestamps.parse(text) {
            self.ms = ms
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be an ISO 8601 time or Unix milliseconds up to year 9999")
        }
    }
}

/// Ingest's verdict on one reading as an API error: an unknown machine is 404, as in the seed; any
/// other refusal names the public field (`timestamp`, not `timestamp_ms`).
enum ReadingRejection {
    static func apiError(_ result: ReadingResult, prefix: String = "") -> APIError {
        let field = publicField(result.field)
        if result.field == "equipment_id" && result.reason.contains("not registered") {
            return APIError(.notFound, code: "not_found", message: result.reason, field: prefix + field)
        }
        return APIError(.unprocessableContent, code: "invalid_argument", message: "\(field): \(result.reason)", field: prefix + field)
    }

    static func publicField(_ field: String) -> String {
        field == "timestamp_ms" ? "timestamp" : field
    }
}

/// A request naming a machine the registry does not know is 404, as the seed answered; the services
/// refuse it as an invalid `equipment_id`.
enum UnknownMachine {
    static func asNotFound<Value>(_ call: () async throws -> Value) async throws -> Value {
        do {
            return try await call()
        } catch let error as RPCError where error.code == .invalidArgument && error.metadata["field"] == "equipment_id" {
            throw APIError(.notFound, code: "not_found", message: error.message, field: "equipment_id")
        }
    }
}
