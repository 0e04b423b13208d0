import GRDB
import PMProto
import ServiceKit

/// Reads of the readings table: ranges, downsampled buckets, latest per machine, counts, the stream.
struct ReadingQueries: Sendable {
    let database: DatabasePool

    /// The most readings one response carries (QueryReadings' limit, LatestReadings' machines ×
    /// per_equipment): at most ~2 MB even with 128-byte reading ids, under the 4 MiB frame limit.
    static let maxLimit = 10_000
    static let maxBuckets = 2_000
    /// The most machines a request may list (LatestReadings, StreamReadings).
    static let maxListedMachines = 1_000

    func query(_ request: QueryReadingsRequest) async throws -> QueryReadingsResponse {
        guard request.equipmentID > 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must be positive") }
        try RequestLimits.timestamp(request.fromMs, field: "from_ms")
        try RequestLimits.timestamp(request.toMs, field: "to_ms")
        guard request.toMs == 0 || request.fromMs < request.toMs else {
            throw ServiceError.invalidArgument(field: "to_ms", reason: "must be after from_ms")
        }
        guard request.buckets <= Self.maxBuckets else {
            throw ServiceError.invalidArgument(field: "buckets", reason: "must be at most \(Self.maxBuckets)")
        }
        let from = request.fromMs
        let to = request.toMs == 0 ? Int64.max : request.toMs
        if request.buckets > 0 {
            return QueryReadingsResponse(buckets: try await buckets(request.equipmentID, from: from, to: to, count: Int(request.buckets)))
        }
        guard request.limit <= Self.maxLimit else {
            throw ServiceError.invalidArgument(
                field: "limit", reason: "must be at most \(Self.maxLimit); page on with from_ms after the last timestamp received")
        }
        let limit = request.limit == 0 ? 1000 : Int(request.limit)
        let order = request.newestFirst ? "DESC" : "ASC"
        let readings = try await database.read { db in
            try StoredReading.fetchAll(
                db,
                sql: """
                    SELECT \(StoredReading.selection) FROM readings
                    WHERE equipment_id = ? AND timestamp_ms >= ? AND timestamp_ms < ?
                    ORDER BY timestamp_ms \(order) LIMIT \(limit)
                    """,
                arguments: [request.equipmentID, from, to]
            ).map(\.reading)
        }
        return QueryReadingsResponse(readings: readings)
    }

    /// Splits [from, to) — narrowed to the data present when unbounded — into `count` equal buckets.
    private func buckets(_ equipment: Int64, from: Int64, to: Int64, count: Int) async throws -> [ReadingBucket] {
        try await database.read { db in
            guard
                let bounds = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT MIN(timestamp_ms), MAX(timestamp_ms) FROM readings WHERE equipment_id = ? AND timestamp_ms >= ? AND timestamp_ms < ?",
                    arguments: [equipment, from, to]
                ), let first = bounds[0] as Int64?, let last = bounds[1] as Int64?
            else { return [] }
            let start = from > 0 ? from : first
            let end = to < Int64.max ? to : last + 1
            let width = max((end - start + Int64(count) - 1) / Int64(count), 1)
            let aggregates = Sensor.all.map {
                "MIN(\($0.name)) AS \($0.name)_min, MAX(\($0.name)) AS \($0.name)_max, AVG(\($0.name)) AS \($0.name)_mean"
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT (timestamp_ms - ?) / ? AS bucket, COUNT(*) AS count, \(aggregates.joined(separator: ", "))
                    FROM readings WHERE equipment_id = ? AND timestamp_ms >= ? AND timestamp_ms < ?
                    GROUP BY bucket ORDER BY bucket
                    """,
                arguments: [start, width, equipment, start, end]
            )
            return rows.map { row in
                let bucket: Int64 = row["bucket"]
                var summary = ReadingBucket(
                    startMs: start + bucket * width, endMs: start + (bucket + 1) * width, count: UInt32(clamping: row["count"] as Int64))
                for sensor in Sensor.all {
                    summary[keyPath: sensor.bucket] = SensorSummary(
                        min: row["\(sensor.name)_min"], max: row["\(sensor.name)_max"], mean: row["\(sensor.name)_mean"]
                    )
                }
                return summary
            }
        }
    }

    /// The newest `perEquipment` readings of each of `ids` (`listed` by the caller, or every registered
    /// machine), newest first per machine. The size of the answer is checked before any work: at most
    /// ``maxListedMachines`` listed, and machines × `perEquipment` at most ``maxLimit``.
    func latest(_ ids: [Int64], perEquipment: UInt32, listed: Bool = true) async throws -> [Reading] {
        guard !listed || ids.count <= Self.maxListedMachines else {
            throw ServiceError.invalidArgument(
                field: "equipment_ids", reason: "lists \(ids.count) machines; at most \(Self.maxListedMachines)")
        }
        guard perEquipment <= 1000 else {
            throw ServiceError.invalidArgument(field: "per_equipment", reason: "must be at most 1000")
        }
        let perEquipment = max(Int(perEquipment), 1)
        guard ids.count * perEquipment <= Self.maxLimit else {
            let machines = "\(ids.count)\(listed ? "" : " registered") machines"
            throw ServiceError.invalidArgument(
                field: "per_equipment",
                reason: "asks for up to \(ids.count * perEquipment) readings (\(machines) × \(perEquipment)); "
                    + "at most \(Self.maxLimit) per call: list fewer machines or ask for fewer of each"
            )
        }
        return try await database.read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(StoredReading.selection) FROM readings WHERE equipment_id = ? ORDER BY timestamp_ms DESC LIMIT ?
                    """)
            return try ids.flatMap { id in
                try StoredReading.fetchAll(statement, arguments: [id, perEquipment]).map(\.reading)
            }
        }
    }

    func stats(_ request: ReadingStatsRequest, lastSequence: UInt64) async throws -> ReadingStatsResponse {
        try RequestLimits.timestamp(request.sinceMs, field: "since_ms")
        return try await database.read { db in
            let total = try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'readings'") ?? 0
            let since = try MinuteTotals.since(request.sinceMs, in: db)
            return ReadingStatsResponse(
                totalReadings: UInt64(total),
                readingsSince: UInt64(since.count),
                avgEfficiencySince: since.averageEfficiency,
                lastSequence: lastSequence
            )
        }
    }

    /// Readings with sequence in (after, upTo], oldest first, restricted to a machine subset.
    func readings(after: UInt64, upTo: UInt64, filter: MachineFilter, limit: Int) async throws -> [Reading] {
        try await database.read { db in
            var sql = "SELECT \(StoredReading.selection) FROM readings WHERE sequence > ? AND sequence <= ?"
            var arguments: StatementArguments = [Int64(after), Int64(upTo)]
            switch filter {
            case .all: break
            case .machines(let ids):
                sql += " AND equipment_id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(ids)
            case .shard(let count, let index):
                sql += " AND equipment_id % ? = ?"
                arguments += [count, index]
            }
            sql += " ORDER BY sequence LIMIT \(limit)"
            return try StoredReading.fetchAll(db, sql: sql, arguments: arguments).map(\.reading)
        }
    }
}

/// Which machines a stream consumer wants.
enum MachineFilter: Sendable {
    case all
    case machines([Int64])
    case shard(count: Int64, index: Int64)

    init(_ request: StreamReadingsRequest) throws {
        // Sequences are SQLite integers: anything above Int64.max names no reading that can ever exist.
        guard request.afterSequence <= UInt64(Int64.max) else {
            throw ServiceError.invalidArgument(field: "after_sequence", reason: "must be at most \(Int64.max)")
        }
        if !request.equipmentIDs.isEmpty {
            guard request.equipmentIDs.count <= ReadingQueries.maxListedMachines else {
                throw ServiceError.invalidArgument(
                    field: "equipment_ids",
                    reason: "lists \(request.equipmentIDs.count) machines; at most \(ReadingQueries.maxListedMachines)")
            }
            guard request.shardCount == 0 else {
                throw ServiceError.invalidArgument(field: "shard_count", reason: "cannot be combined with equipment_ids")
            }
            self = .machines(request.equipmentIDs)
        } else if request.shardCount > 0 {
            guard request.shardIndex < request.shardCount else {
                throw ServiceError.invalidArgument(field: "shard_index", reason: "must be below shard_count (\(request.shardCount))")
            }
            self = .shard(count: Int64(request.shardCount), index: Int64(request.shardIndex))
        } else {
            guard request.shardIndex == 0 else {
                throw ServiceError.invalidArgument(field: "shard_index", reason: "needs shard_count")
            }
            self = .all
        }
    }
}
