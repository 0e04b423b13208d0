import Foundation

/// Which Detection replica owns which machines: replica `index` of `count` owns every machine with
/// `equipment_id % count == index`. Replicas and their callers (the gateway) use the same rule.
public struct DetectionShards: Sendable, Equatable {
    /// How many replicas share the machines.
    public let count: Int
    /// This replica's share.
    public let index: Int

    /// Replica `index` of `count`.
    public init(count: Int, index: Int) {
        precondition(count >= 1 && (0..<count).contains(index))
        self.count = count
        self.index = index
    }

    /// The replica that owns a machine.
    public static func owner(of equipmentID: Int64, count: Int) -> Int {
        Int(((equipmentID % Int64(count)) + Int64(count)) % Int64(count))
    }

    /// Whether this replica owns the machine.
    public func owns(_ equipmentID: Int64) -> Bool {
        Self.owner(of: equipmentID, count: count) == index
    }

    /// `DETECTION_SHARD_COUNT` (default 1) and `DETECTION_SHARD_INDEX`; with several replicas and no index
    /// set, the index is the trailing `-<n>` of the host name, counted from 0 (`detection-2`, as a
    /// Kubernetes StatefulSet names its pods). Throws ``ConfigurationError`` for an index outside
    /// 0..<count, or several replicas and no way to tell which one this is.
    public init(environment: Environment, hostname: String? = nil) throws {
        let hostname = hostname ?? Self.hostname(environment)
        let count = try environment.int("detection.shard.count", default: 1, in: 1...10_000)
        let variable = Environment.variableName("detection.shard.index")
        let index: Int
        if environment.string("detection.shard.index") != nil {
            index = try environment.int("detection.shard.index", default: 0, in: 0...(count - 1))
        } else if count == 1 {
            index = 0
        } else {
            guard hostname.contains("-"), let number = hostname.split(separator: "-").last.flatMap({ Int($0) }),
                (0..<count).contains(number)
            else {
                throw ConfigurationError(
                    variable: variable, value: "(unset; host name \(hostname))",
                    expected: "an index below DETECTION_SHARD_COUNT (\(count)), or a host name ending in one")
            }
            index = number
        }
        self.init(count: count, index: index)
    }

    /// `HOSTNAME`, else the system's host name.
    public static func hostname(_ environment: Environment) -> String {
        environment.values["HOSTNAME"] ?? ProcessInfo.processInfo.hostName
    }
}
