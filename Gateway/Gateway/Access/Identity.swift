/// Who is calling: the key's name (the actor the services record), role and, for a device key, the
/// machines it may write.
public struct Identity: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var prefix: String
    /// nil: every machine.
    public var equipmentIDs: Set<Int64>?
    public var expiresAtMs: Int64?

    public func may(write machine: Int64) -> Bool {
        equipmentIDs?.contains(machine) ?? true
    }
}
