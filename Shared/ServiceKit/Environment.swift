import Foundation

/// Reads configuration from environment variables, named after dotted keys: `ingest.rpc.port` is read
/// from `INGEST_RPC_PORT`. Configuration structs read it once at start; nothing else reads the environment.
public struct Environment: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The process's environment.
    public static var process: Environment { Environment(ProcessInfo.processInfo.environment) }

    public static func variableName(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    public func string(_ key: String) -> String? {
        values[Self.variableName(key)].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func string(_ key: String, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    public func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let text = string(key) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: Self.variableName(key), value: text, expected: "an integer in \(range)")
        }
        return value
    }

    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let text = string(key)?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: Self.variableName(key), value: text, expected: "true or false")
        }
    }
}

/// An environment variable holds a value the service cannot use.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let variable: String
    public let value: String
    public let expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)=\(value) is invalid: expected \(expected)" }
}
