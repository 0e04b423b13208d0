/// How proto names become Swift names.
enum SwiftNames {
    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "func", "import", "init", "inout", "let",
        "operator", "protocol", "static", "struct", "subscript", "typealias", "var", "break", "case",
        "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
        "return", "switch", "where", "while", "as", "catch", "false", "is", "nil", "rethrows", "super",
        "self", "throw", "throws", "true", "try", "internal", "public", "private", "fileprivate", "open",
    ]

    /// `equipment_id` -> `equipmentID`, `power_consumption` -> `powerConsumption`.
    static func property(_ snake: String) -> String {
        let parts = snake.split(separator: "_").map { String($0) }
        guard let first = parts.first else { return snake }
        let rest = parts.dropFirst().map { part in
            switch part {
            case "id": "ID"
            case "ids": "IDs"
            default: part.prefix(1).uppercased() + part.dropFirst()
            }
        }
        return escaped(([first] + rest).joined())
    }

    /// `RecordReadings` -> `recordReadings`.
    static func method(_ pascal: String) -> String {
        escaped(pascal.prefix(1).lowercased() + pascal.dropFirst())
    }

    /// `EQUIPMENT_STATUS_IN_PROGRESS` in enum `EquipmentStatus` -> short name `in_progress`.
    static func enumShortName(_ value: String, enumName: String) -> String {
        let prefix = CNames.camelToLower(enumName).uppercased() + "_"
        let stripped = value.hasPrefix(prefix) ? String(value.dropFirst(prefix.count)) : value
        return stripped.lowercased()
    }

    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }
}
