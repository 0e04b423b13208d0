import Detectors
import Testing

@Suite("Health and the predicted failure")
struct HealthTrendTests {
    static func verdict(ratio: Double) -> Verdict {
        Verdict(
            score: ratio * 10, threshold: 10, isAnomalous: ratio > 1, isAlarm: false, raisesEvent: false, confidence: 0, severity: .normal)
    }

    @Test("health is 100 at a score of 0, 50 at the threshold, 0 at twice it and beyond; nothing before a model")
    func health() {
        var trend = HealthTrend()
        #expect(trend.health == nil)
        trend.record(.noModel, atMs: 0)
        #expect(trend.health == nil)
        for (ratio, health) in [(0.0, 100.0), (0.5, 75), (1, 50), (2, 0), (7, 0)] {
            trend.record(Self.verdict(ratio: ratio), atMs: 1000)
            #expect(trend.health == health)
        }
    }

    @Test("a score rising in a straight line towards twice the threshold: failure when the line gets there, inside the band")
    func linearDegradation() throws {
        var trend = HealthTrend()
        // One reading a second; the ratio rises 0.01 a second from 0.6: it reaches 2 at second 140.
        for second in 0..<60 {
            let wobble = second % 2 == 0 ? 0.003 : -0.003
            trend.record(Self.verdict(ratio: 0.6 + 0.01 * Double(second) + wobble), atMs: Int64(second) * 1000)
        }
        let failure = try #require(trend.failure)
        #expect(abs(Double(failure.atMs) - 140_000) < 3000, "\(failure)")
        #expect(failure.earliestMs <= failure.atMs && failure.atMs <= (failure.latestMs ?? .max))
    }

    @Test("no predicted failure without degradation: a flat score, a falling one, or one below half the threshold")
    func noDegradation() {
        func failure(_ ratio: (Int) -> Double) -> HealthTrend.Failure? {
            var trend = HealthTrend()
            for second in 0..<60 { trend.record(Self.verdict(ratio: ratio(second)), atMs: Int64(second) * 1000) }
            return trend.failure
        }
        #expect(failure { 0.8 + ($0 % 3 == 0 ? 0.05 : -0.02) } == nil, "flat")
        #expect(failure { 1.5 - 0.01 * Double($0) } == nil, "recovering")
        #expect(failure { 0.1 + 0.005 * Double($0) } == nil, "rising but below half the threshold")
    }

    @Test("no date from readings whose times go backwards (a backfill), nor beyond ten years")
    func noMeaninglessDates() {
        var backwards = HealthTrend()
        for second in 0..<60 { backwards.record(Self.verdict(ratio: 0.6 + 0.01 * Double(second)), atMs: Int64(60 - second) * 1000) }
        #expect(backwards.failure == nil)
        var crawling = HealthTrend()
        // A rise of 1e-9 a reading, one reading a day: centuries to failure.
        for day in 0..<60 { crawling.record(Self.verdict(ratio: 0.6 + 1e-9 * Double(day)), atMs: Int64(day) * 86_400_000) }
        #expect(crawling.failure == nil)
    }

    @Test("the newest 60 values are kept, and survive a save")
    func bounded() throws {
        var trend = HealthTrend()
        for second in 0..<200 { trend.record(Self.verdict(ratio: Double(second) / 100), atMs: Int64(second) * 1000) }
        #expect(trend.ratios.count == HealthTrend.capacity && trend.timesMs.first == 140_000)
        var writer = ByteWriter()
        trend.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try HealthTrend(from: &reader) == trend)
    }
}
