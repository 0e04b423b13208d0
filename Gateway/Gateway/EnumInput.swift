import PMProto

/// Enum values in request bodies, by their public names (`"high"`, `"in_progress"`).
enum EnumInput {
    static func parse<Value: ProtoEnum>(_ text: String, field: String) throws -> Value {
        guard text != "unspecified", let value = Value(shortName: text) else {
            let names = Value.allKnown.compactMap(\.shortName).filter { $0 != "unspecified" }
            throw APIError.invalid(field, "\(field) must be one of \(names.joined(separator: ", "))")
        }
        return value
    }
}
