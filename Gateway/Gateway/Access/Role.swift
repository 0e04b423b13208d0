/// What a key may do. Every API operation needs one permission (``AccessPolicy``); a role is a set of them.
public enum Permission: String, Sendable, CaseIterable {
    /// Every GET and the WebSocket.
    case read
    /// Acknowledge and resolve alerts, silences, maintenance tasks.
    case act
    /// Equipment, preventive rules, keys.
    case manage
    /// Post readings.
    case ingest
}

/// A key's role: `viewer` reads, `operator` also acts on alerts and work, `admin` also manages (and may
/// post readings), `device` only posts readings (optionally for listed machines only).
public enum Role: String, Sendable, CaseIterable, Codable {
    case viewer, `operator`, admin, device

    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, _): true
        case (.operator, .read), (.operator, .act): true
        case (.viewer, .read): true
        case (.device, .ingest): true
        default: false
        }
    }

    /// The least role with a permission: what the OpenAPI document declares per operation.
    public static func minimum(for permission: Permission) -> Role {
        switch permission {
        case .read: .viewer
        case .act: .operator
        case .manage: .admin
        case .ingest: .device
        }
    }
}
