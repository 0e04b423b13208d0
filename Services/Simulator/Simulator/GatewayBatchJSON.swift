import Foundation
import PMProto

/// The JSON of the gateway's `POST /api/sensor-data/batch` (its OpenAPI document's `SensorReadingInput`,
/// `BatchResult` and error body), in the snake_case names the gateway uses.
enum GatewayBatchJSON {
    /// One reading of the request body; the timestamp is explicit, so a repeat is a duplicate.
    struct Input: Encodable {
        var equipmentId: Int64
        var timestamp: Int64
        var temperature: Double
        var vibration: Double
        var pressure: Double
        var powerConsumption: Double
        var efficiency: Double

        init(_ reading: Reading) {
            equipmentId = reading.equipmentID
            timestamp = reading.timestampMs
            temperature = reading.temperature
            vibration = reading.vibration
            pressure = reading.pressure
            powerConsumption = reading.powerConsumption
            efficiency = reading.efficiency
        }
    }

    /// The answer to a batch: counts, and the rejected readings.
    struct Result: Decodable {
        var accepted: Int
        var duplicates: Int
        var rejected: Int
        var errors: [Problem]

        struct Problem: Decodable {
            var field: String?
            var message: String
        }
    }

    /// Every 4xx and 5xx of the gateway: `{"error":{"code":"...","message":"..."}}`.
    struct ErrorBody: Decodable {
        var error: Detail

        struct Detail: Decodable {
            var code: String
            var message: String
        }
    }

    static func encode(_ readings: [Reading]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(readings.map(Input.init))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }

    /// What a refusal says, `code: message`, or the start of a body that is not the gateway's JSON.
    static func explanation(of body: Data) -> String {
        guard let detail = try? decode(ErrorBody.self, from: body).error else { return String(decoding: body.prefix(200), as: UTF8.self) }
        return "\(detail.code): \(detail.message)"
    }
}
