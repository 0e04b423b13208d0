import Foundation
import Hummingbird
import NIOCore

/// Reading request bodies: bounded in size, JSON decoded with errors that name the offending field.
enum RequestBody {
    /// The most a JSON body may hold, except the batch upload's.
    static let defaultLimit = 64 * 1024

    /// The body as bytes, refusing one larger than `limit` with 413.
    static func bytes(of request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than \(limit) bytes")
        }
    }

    /// Decodes a JSON body; an empty body decodes as `{}` when `emptyAllowed` (optional bodies).
    static func decode<Value: Decodable>(
        _ type: Value.Type, from request: Request, limit: Int = defaultLimit, emptyAllowed: Bool = false
    ) async throws -> Value {
        let buffer = try await bytes(of: request, limit: limit)
        if buffer.readableBytes == 0 {
            guard emptyAllowed else { throw APIError.invalid(nil, "a JSON request body is required") }
            return try decode(type, from: Data("{}".utf8))
        }
        if let contentType = request.headers[.contentType], !contentType.lowercased().contains("json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json")
        }
        return try decode(type, from: Data(buffer: buffer))
    }

    /// Bodies use the seed's snake_case names; the Swift types that read them, camelCase.
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw apiError(error)
        } catch let error as APIError {
            throw error
        }
    }

    /// A decoding failure in words, naming the field (`readings[3].temperature`).
    static func apiError(_ error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalid(field, "\(field) is required")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .invalid(field.isEmpty ? nil : field, "\(field.isEmpty ? "the body" : field) must be \(describe(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .invalid(nil, "the body is not valid JSON")
            }
            let field = path(context.codingPath)
            return .invalid(field, "\(field): \(context.debugDescription)")
        @unknown default:
            return .invalid(nil, "the body could not be read")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + snakeCase(key.stringValue)
            }
        }
    }

    /// `equipmentId` -> `equipment_id`: the name the client sent.
    private static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int64.Type, is Int.Type, is UInt32.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}
