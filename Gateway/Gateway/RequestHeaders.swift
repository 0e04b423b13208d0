import HTTPTypes
import Hummingbird

private let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!

/// The optional `Idempotency-Key` header: a retried create with the same key returns the first result.
func idempotencyKey(_ request: Request) throws -> String {
    guard let key = request.headers[idempotencyKeyHeader] else { return "" }
    guard (1...200).contains(key.utf8.count) else { throw APIError.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 200 bytes") }
    return key
}

/// The optional body of the action endpoints (acknowledge, resolve, start, complete, cancel).
struct ActionNote: Decodable {
    var note: String?
}
