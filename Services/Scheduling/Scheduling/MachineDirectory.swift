import PMProto
import PMRPC
import PMServices
import ServiceKit

/// What Scheduling asks Ingest, the owner of the machine registry.
struct MachineDirectory: Sendable {
    static let pageSize: UInt32 = 1000

    let ingest: IngestServiceClient

    /// Ingest must know the machine; NOT_FOUND there is INVALID_ARGUMENT naming `field` here. Ingest
    /// being down is UNAVAILABLE, for the caller to retry.
    func requireKnown(_ id: Int64, field: String) async throws {
        do {
            _ = try await ingest.getEquipment(GetEquipmentRequest(equipmentID: id))
        } catch let error as RPCError where error.code == .notFound {
            throw ServiceError.invalidArgument(field: field, reason: "machine \(id) is not registered")
        }
    }

    /// The ids of every machine of a type, ascending.
    func ids(ofType type: String) async throws -> [Int64] {
        var ids: [Int64] = []
        while true {
            let page = try await ingest.listEquipment(ListEquipmentRequest(type: type, limit: Self.pageSize, afterID: ids.last ?? 0))
            ids += page.equipment.map(\.id)
            if page.equipment.count < Self.pageSize { return ids }
        }
    }
}
