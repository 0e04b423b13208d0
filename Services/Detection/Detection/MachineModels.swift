import Detectors
import Foundation
import GRDB
import PMMath
import PMProto
import Synchronization

/// The detectors of this replica's machines, in memory, and which changed since they were last saved.
/// The scorer is the only writer; Score and GetModelInfo read.
final class MachineModels: Sendable {
    /// The features every detector sees, in this order.
    static let features = ["temperature", "vibration", "pressure", "power_consumption", "efficiency"]

    struct Entry: Sendable {
        var detector: any Detector
        /// The status Detection last gave the machine.
        var status: EquipmentStatus
        var trainedAtMs: Int64
        var version: Int
        /// Health and the predicted failure, from the verdicts so far.
        var health = HealthTrend()
        /// The machine's last maintenance date when this model started or last saw it change (nil:
        /// not known yet).
        var lastMaintenance: String?
    }

    /// A reading's verdict, the status it gives its machine if that changed, and the machine's health after it.
    struct Outcome {
        var verdict: Verdict
        var newStatus: EquipmentStatus?
        var health = HealthTrend()
        var machineType: String?
    }

    /// What Ingest says about a machine (``EquipmentWatcher``).
    struct Facts: Sendable {
        var type: String
        var lastMaintenance: String
    }

    let kind: DetectorKind
    private let state: Mutex<(entries: [Int64: Entry], dirty: Set<Int64>)>
    /// Each machine's type and last maintenance date as Ingest last reported them.
    private let facts = Mutex<[Int64: Facts]>([:])

    /// Loads the saved state of every machine; state saved by another kind of detector (the deployment
    /// changed DETECTION_DETECTOR) or by an earlier design of this one is dropped and the machine starts afresh.
    init(database: DatabasePool, kind: DetectorKind) throws {
        self.kind = kind
        state = Mutex((try Self.load(database, kind: kind), []))
    }

    /// Forgets what is in memory for what was last saved: after a failed commit, the stream is
    /// read again from the saved cursor and must meet the detectors as they were then.
    func reload(from database: DatabasePool) throws {
        let entries = try Self.load(database, kind: kind)
        state.withLock { $0 = (entries, []) }
    }

    private static func load(_ database: DatabasePool, kind: DetectorKind) throws -> [Int64: Entry] {
        try database.read { db in
            var entries: [Int64: Entry] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM models WHERE detector = ?", arguments: [kind.rawValue]) {
                // A state saved by an earlier design of the detector is refused: that machine learns afresh.
                guard let detector = try? kind.decode(Array(row["state"] as Data), featureCount: Self.features.count) else { continue }
                let health = (row["health"] as Data?).flatMap { data -> HealthTrend? in
                    var reader = ByteReader(Array(data))
                    return try? HealthTrend(from: &reader)
                }
                entries[row["equipment_id"]] = Entry(
                    detector: detector, status: EquipmentStatus(rawValue: row["status"]), trainedAtMs: row["trained_at_ms"],
                    version: row["version"], health: health ?? HealthTrend(), lastMaintenance: row["last_maintenance"])
            }
            return entries
        }
    }

    static func row(of reading: Reading) -> [Double] {
        [reading.temperature, reading.vibration, reading.pressure, reading.powerConsumption, reading.efficiency]
    }

    /// Records what Ingest says about the machines; a machine whose last maintenance date changed since
    /// its model last saw it starts a new model at its next reading.
    func note(_ machines: [Int64: Facts]) {
        facts.withLock { $0 = machines }
    }

    /// Judges `reading` and lets its machine's detector learn from it.
    func observe(_ reading: Reading) -> Outcome {
        let machine = facts.withLock { $0[reading.equipmentID] }
        return state.withLock { state in
            let id = reading.equipmentID
            var maintained = machine?.lastMaintenance
            if let date = maintained, let seen = state.entries[id]?.lastMaintenance, seen != date {
                // Maintained since the model started: what it learnt may no longer be this machine's normal.
                // Readings from before that day (a backlog scored late) still belong to the old model.
                if UTCDate.of(ms: reading.timestampMs) >= date {
                    state.entries[id] = nil
                } else {
                    maintained = nil
                }
            }
            if state.entries[id] == nil {
                state.entries[id] = Entry(
                    detector: kind.make(featureCount: Self.features.count), status: .unspecified, trainedAtMs: 0, version: 0)
            }
            if let maintained { state.entries[id]!.lastMaintenance = maintained }
            let verdict = state.entries[id]!.detector.observe(Self.row(of: reading))
            state.dirty.insert(id)
            let version = state.entries[id]!.detector.modelVersion
            if version != state.entries[id]!.version {
                state.entries[id]!.version = version
                state.entries[id]!.trainedAtMs = reading.timestampMs
            }
            guard verdict.modelReady else { return Outcome(verdict: verdict, machineType: machine?.type) }
            state.entries[id]!.health.record(verdict, atMs: reading.timestampMs)
            let status = verdict.isAlarm ? Self.status(for: verdict.severity) : .healthy
            let changed = status != state.entries[id]!.status
            state.entries[id]!.status = status
            return Outcome(
                verdict: verdict, newStatus: changed ? status : nil, health: state.entries[id]!.health, machineType: machine?.type)
        }
    }

    static func status(for severity: VerdictSeverity) -> EquipmentStatus {
        switch severity {
        case .critical: .critical
        case .warning: .warning
        case .monitoring: .monitoring
        case .normal: .healthy
        }
    }

    /// Judges `reading` with its machine's current model, learning nothing; nil when the machine has none.
    func judge(_ reading: Reading) -> (verdict: Verdict, version: Int, machineType: String?)? {
        let type = facts.withLock { $0[reading.equipmentID]?.type }
        return state.withLock { state in
            state.entries[reading.equipmentID].map { ($0.detector.judge(Self.row(of: reading)), $0.version, type) }
        }
    }

    /// Each machine's model, by id.
    func summaries() -> [Int64: (summary: ModelSummary, trainedAtMs: Int64)] {
        state.withLock { state in state.entries.mapValues { ($0.detector.summary, $0.trainedAtMs) } }
    }

    /// Saves the machines that changed since the last call, in the caller's transaction.
    func saveChanged(in db: Database) throws {
        let changed = state.withLock { state in
            defer { state.dirty = [] }
            return state.dirty.map { ($0, state.entries[$0]!) }
        }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO models (equipment_id, detector, state, status, trained_at_ms, version, health, last_maintenance)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(equipment_id) DO UPDATE SET detector = excluded.detector, state = excluded.state,
                status = excluded.status, trained_at_ms = excluded.trained_at_ms, version = excluded.version, health = excluded.health,
                last_maintenance = excluded.last_maintenance
                """)
        for (id, entry) in changed {
            var health = ByteWriter()
            entry.health.encode(into: &health)
            try statement.execute(arguments: [
                id, kind.rawValue, Data(entry.detector.encoded), entry.status.rawValue, entry.trainedAtMs, entry.version,
                Data(health.bytes), entry.lastMaintenance,
            ])
        }
    }
}
