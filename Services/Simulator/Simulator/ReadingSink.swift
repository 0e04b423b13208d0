import PMProto

/// Where the simulator's readings go: Ingest over the internal RPC (``RPCReadingSink``) or the public
/// gateway with a device key (``GatewayReadingSink``).
///
/// Delivery is at least once: a batch that fails as a whole is sent again until it gets through, so
/// a batch may arrive twice. The simulator's readings carry explicit timestamps, so Ingest answers a
/// repeat as duplicates instead of storing it again.
public protocol ReadingSink: Sendable {
    /// The most readings one ``deliver(_:)`` call takes.
    var maxBatchSize: Int { get }

    /// Delivers `batch`, retrying until it got through; throws ``DeliveryRefused`` when the receiver
    /// refuses it for good.
    func deliver(_ batch: [Reading]) async throws -> Delivery
}

/// What became of one delivered batch.
public struct Delivery: Sendable, Equatable {
    /// Readings stored, now or by an earlier attempt (duplicates).
    public var stored: Int
    /// Readings refused on their own merits (a value out of range, an unknown machine).
    public var rejected: Int
    /// The first rejected reading's field and reason.
    public var firstRejection: Rejection?

    /// Why one reading was refused.
    public struct Rejection: Sendable, Equatable {
        public var field: String
        public var reason: String
    }
}

/// The receiver refused a batch in a way no retry can fix (a bad or revoked key, a machine the key may
/// not write); the simulator stops. The description never holds a key's secret.
public struct DeliveryRefused: Error, CustomStringConvertible {
    public let description: String
}
