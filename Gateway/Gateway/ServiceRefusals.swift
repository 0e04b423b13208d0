import PMProto
import PMRPC

/// What the internal services refuse, in the public API's terms.
enum ServiceRefusals {
    /// A request field as the public API names it: services name their message's fields
    /// (`silence.ends_at_ms`, `readings[3].timestamp_ms`), clients sent `ends_at`, `timestamp`.
    static func publicField(_ field: String) -> String {
        var name = field.split(separator: ".").last.map(String.init) ?? field
        if name.hasSuffix("_ms") { name.removeLast(3) }
        return name
    }

    /// Ingest's verdict on one reading as an API error: an unknown machine is 404, as in the seed.
    static func rejectedReading(_ result: ReadingResult) -> APIError {
        let field = publicField(result.field)
        if result.field == "equipment_id" && result.reason.contains("not registered") {
            return APIError(.notFound, code: "not_found", message: result.reason, field: field)
        }
        return APIError(.unprocessableContent, code: "invalid_argument", message: "\(field): \(result.reason)", field: field)
    }

    /// Runs a call naming a machine (already checked positive): the services refuse one the registry
    /// does not know as an invalid `equipment_id`; the API answers 404, as the seed did.
    static func unknownMachineAsNotFound<Value>(_ call: () async throws -> Value) async throws -> Value {
        do {
            return try await call()
        } catch let error as RPCError where error.code == .invalidArgument && publicField(error.metadata["field"] ?? "") == "equipment_id" {
            throw APIError(.notFound, code: "not_found", message: error.message, field: "equipment_id")
        }
    }

    /// A machine id in a request body: positive, or 400 naming the field.
    static func requirePositive(_ id: Int64, field: String = "equipment_id") throws {
        guard id > 0 else { throw APIError.invalid(field, "\(field) must be a positive integer") }
    }
}
