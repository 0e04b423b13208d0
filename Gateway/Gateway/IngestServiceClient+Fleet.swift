import PMProto
import PMServices

/// The whole registry, read in Ingest's pages (at most 1,000 machines per call), and latest readings
/// asked for in chunks of the same size (Ingest's limit on listed machines).
extension IngestServiceClient {
    static let pageSize = 1000

    func allEquipment(status: EquipmentStatus = .unspecified, type: String = "") async throws -> [Equipment] {
        var machines = [Equipment]()
        while true {
            let page = try await listEquipment(
                .init(status: status, type: type, limit: UInt32(Self.pageSize), afterID: machines.last?.id ?? 0)
            ).equipment
            machines += page
            guard page.count == Self.pageSize else { return machines }
        }
    }

    /// The newest reading of each listed machine (none for machines without readings).
    func latestReadings(of machines: [Int64]) async throws -> [Int64: Reading] {
        var latest = [Int64: Reading]()
        // An empty list would mean "every machine" to Ingest.
        for start in stride(from: 0, to: machines.count, by: Self.pageSize) {
            let chunk = Array(machines[start..<min(start + Self.pageSize, machines.count)])
            for reading in try await latestReadings(.init(equipmentIDs: chunk, perEquipment: 1)).readings {
                latest[reading.equipmentID] = reading
            }
        }
        return latest
    }
}
