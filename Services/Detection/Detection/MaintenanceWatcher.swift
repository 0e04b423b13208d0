import Logging
import PMProto
import PMServices
import ServiceKit

/// Reads each machine's last maintenance date from Ingest (Scheduling sets it when a task is completed)
/// and hands them to ``MachineModels``, which starts a machine's model afresh at its next reading when
/// the date changed. A repair often changes what normal looks like (new bearings vibrate less), and a
/// model that judged the new normal anomalous would never learn it: windows in an alarm are not learnt.
struct MaintenanceWatcher: Sendable {
    static let pageSize: UInt32 = 1000

    let ingest: IngestServiceClient
    let models: MachineModels
    let shards: DetectionShards
    let logger: Logger

    /// A background service that reads the dates every `interval`.
    func periodically(every interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "maintenance dates", interval: interval, logger: logger) { try await poll() }
    }

    /// One pass over every machine this replica owns.
    func poll() async throws {
        var dates: [Int64: String] = [:]
        var afterID: Int64 = 0
        while true {
            let page = try await ingest.listEquipment(ListEquipmentRequest(limit: Self.pageSize, afterID: afterID)).equipment
            for machine in page where shards.owns(machine.id) { dates[machine.id] = machine.lastMaintenance }
            guard page.count == Self.pageSize, let last = page.last else { break }
            afterID = last.id
        }
        models.noteMaintenance(dates)
    }
}
