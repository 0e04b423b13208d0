import Hummingbird
import PMMath
import PMProto

/// Path and query parameters, parsed with errors that name the parameter.
struct RequestParameters {
    let request: Request
    let context: GatewayRequestContext

    /// A positive id from the path (`/api/alerts/{id}`).
    func id(_ name: String = "id") throws -> Int64 {
        guard let text = context.parameters.get(name), let value = Int64(text), value > 0 else {
            throw APIError.invalid(name, "\(name) must be a positive integer")
        }
        return value
    }

    func string(_ name: String, maxLength: Int = 200) throws -> String? {
        guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
        guard text.utf8.count <= maxLength else { throw APIError.invalid(name, "\(name) is longer than \(maxLength) bytes") }
        return text
    }

    func int(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = try string(name, maxLength: 20) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw APIError.invalid(name, "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func limit(default defaultValue: Int64, max: Int64) throws -> UInt32 {
        UInt32(try int("limit", in: 1...max) ?? defaultValue)
    }

    func bool(_ name: String) throws -> Bool? {
        guard let text = try string(name, maxLength: 5) else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.invalid(name, "\(name) must be true or false")
        }
    }

    /// A proto enum by its short name (`?status=warning`).
    func enumeration<Value: ProtoEnum>(_ name: String, as type: Value.Type) throws -> Value? {
        try string(name, maxLength: 40).map { try EnumInput.parse($0, field: name) }
    }

    /// An ISO 8601 time or Unix milliseconds.
    func timestamp(_ name: String) throws -> Int64? {
        guard let text = try string(name, maxLength: 40) else { return nil }
        guard let ms = Timestamps.parse(text) else {
            throw APIError.invalid(name, "\(name) must be an ISO 8601 time or Unix milliseconds")
        }
        return ms
    }

    /// A calendar date, YYYY-MM-DD.
    func date(_ name: String) throws -> String? {
        guard let text = try string(name, maxLength: 10) else { return nil }
        guard text.utf8.count == 10, UTCTimestamp.milliseconds(of: text) != nil else {
            throw APIError.invalid(name, "\(name) must be a date, YYYY-MM-DD")
        }
        return text
    }
}
