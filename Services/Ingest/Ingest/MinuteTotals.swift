import GRDB

/// How many readings each minute holds, and the sum of their efficiency, kept in the transaction that
/// stores or deletes the readings: "readings in the last 24 hours" then reads 1,440 rows and at most a
/// minute of readings, however many machines report.
struct MinuteTotals {
    static let minuteMs: Int64 = 60_000

    private var totals: [Int64: (count: Int64, efficiency: Double)] = [:]

    static func minute(of timestampMs: Int64) -> Int64 {
        timestampMs - ((timestampMs % minuteMs) + minuteMs) % minuteMs
    }

    mutating func add(timestampMs: Int64, efficiency: Double) {
        totals[Self.minute(of: timestampMs), default: (0, 0)].count += 1
        totals[Self.minute(of: timestampMs), default: (0, 0)].efficiency += efficiency
    }

    /// Adds what was counted to the stored totals.
    func save(in db: Database) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO reading_minutes (minute_ms, readings, efficiency_sum) VALUES (?, ?, ?)
                ON CONFLICT(minute_ms) DO UPDATE SET readings = readings + excluded.readings,
                efficiency_sum = efficiency_sum + excluded.efficiency_sum
                """)
        for (minute, total) in totals { try upsert.execute(arguments: [minute, total.count, total.efficiency]) }
    }

    /// After readings before `cutoffMs` were deleted: drops the minutes that ended before it and counts
    /// the minute it falls in again.
    static func forget(before cutoffMs: Int64, in db: Database) throws {
        let partial = minute(of: cutoffMs)
        try db.execute(sql: "DELETE FROM reading_minutes WHERE minute_ms <= ?", arguments: [partial])
        try db.execute(
            sql: """
                INSERT INTO reading_minutes (minute_ms, readings, efficiency_sum)
                SELECT ?, COUNT(*), TOTAL(efficiency) FROM readings WHERE timestamp_ms >= ? AND timestamp_ms < ? HAVING COUNT(*) > 0
                """,
            arguments: [partial, partial, partial + minuteMs])
    }

    /// The number of readings at or after `sinceMs` and their average efficiency (nil when none).
    static func since(_ sinceMs: Int64, in db: Database) throws -> (count: Int64, averageEfficiency: Double?) {
        let firstWhole = minute(of: sinceMs) == sinceMs ? sinceMs : minute(of: sinceMs) + minuteMs
        let whole = try Row.fetchOne(
            db, sql: "SELECT TOTAL(readings), TOTAL(efficiency_sum) FROM reading_minutes WHERE minute_ms >= ?", arguments: [firstWhole])!
        let partial = try Row.fetchOne(
            db, sql: "SELECT COUNT(*), TOTAL(efficiency) FROM readings WHERE timestamp_ms >= ? AND timestamp_ms < ?",
            arguments: [sinceMs, firstWhole])!
        let count = Int64(whole[0] as Double) + (partial[0] as Int64)
        let sum = (whole[1] as Double) + (partial[1] as Double)
        return (count, count > 0 ? sum / Double(count) : nil)
    }
}
