import Foundation

/// Reads configuration from environment variables, named after dotted keys: `ingest.rpc.port` is read
/// from `INGEST_RPC_PORT`. Configuration structs read it once at start; nothing else reads the environment.
public struct Environment: Sendable {
    /// The variables by name (`INGEST_RPC_PORT`), exactly as given.
    public let values: [String: String]

    /// An environment of exactly `values`; tests pass their own instead of ``process``.
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The process's environment.
    public static var process: Environment { Environment(ProcessInfo.processInfo.environment) }

    /// The variable a key is read from: upper-cased, with `.` and `-` turned into `_`
    /// (`pm.rpc.timeout-ms` is read from `PM_RPC_TIMEOUT_MS`).
    public static func variableName(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    /// The key's value, or nil when its variable is unset or empty.
    public func string(_ key: String) -> String? {
        values[Self.variableName(key)].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The key's value, or `defaultValue` when its variable is unset or empty.
    public func string(_ key: String, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    /// The key's value as an integer, or `defaultValue` (not checked against `range`) when its variable is
    /// unset or empty. Throws ``ConfigurationError`` when the value is not a decimal integer in `range`.
    public func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let text = string(key) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: Self.variableName(key), value: text, expected: "an integer in \(range)")
        }
        return value
    }

    /// The key's value as a flag (`1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`, in any case), or
    /// `defaultValue` when its variable is unset or empty. Throws ``ConfigurationError`` for anything else.
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
    /// The variable's name, e.g. `INGEST_RPC_PORT`.
    public let variable: String
    /// The value it holds (lower-cased for a flag).
    public let value: String
    /// What it should hold, e.g. `an integer in 0...65535`.
    public let expected: String

    /// An error about `variable`, whose `value` is not `expected`.
    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    /// `<VARIABLE>=<value> is invalid: expected <expected>`.
    public var description: String { "\(variable)=\(value) is invalid: expected \(expected)" }
}
