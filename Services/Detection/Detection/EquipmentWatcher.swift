import Logging
import PMProto
import PMServices
import ServiceKit

/// Reads each machine's type and last maintenance date from Ingest and hands them to ``MachineModels``.
/// The type chooses the advice a prediction carries (``SensorAdvice``). The date changes when a task is
/// completed (Scheduling sets it), and the machine's model starts afresh at its next reading: a repair
/// often changes what normal looks like (new bearings vibrate less), and a model that judged the new
/// normal anomalous would never learn it, since windows in an alarm are not learnt.
struct EquipmentWatcher: Sendable {
    static let pageSize: UInt32 = 1000

    let ingest: IngestServiceClient
    let models: MachineModels
    let shards: DetectionShards
    let logger: Logger

    /// A background service that reads the dates every `interval`.
    func periodically(every interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "equipment", interval: interval, logger: logger) { try await poll() }
    }

    /// One pass over every machine this replica owns.
    func poll() async throws {
        var machines: [Int64: MachineModels.Facts] = [:]
        var afterID: Int64 = 0
        while true {
            let page = try await ingest.listEquipment(ListEquipmentRequest(limit: Self.pageSize, afterID: afterID)).equipment
            for machine in page where shards.owns(machine.id) {
                machines[machine.id] = MachineModels.Facts(type: machine.type, lastMaintenance: machine.lastMaintenance)
            }
            guard page.count == Self.pageSize, let last = page.last else { break }
            afterID = last.id
        }
        models.note(machines)
    }
}
