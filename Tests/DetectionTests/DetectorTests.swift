import Foundation
import PMMath
import Testing

@testable import Detectors

@Suite("Detectors")
struct DetectorTests {
    static func rows(_ count: Int, seed: UInt64 = 3) -> [[Double]] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in [70 + 3 * random.gaussian(), 2.5 + 0.3 * random.gaussian(), 100 + 5 * random.gaussian(), 50, 92] }
    }

    @Test("training rows scored while the trees grow equal scoring them afterwards")
    func trainingScores() {
        let rows = Self.rows(200).flatMap { $0 }
        let (forest, scores) = IsolationForest.fittedWithTrainingScores(rows: rows, featureCount: 5, seed: 9)
        let afterwards = forest.scoreSamples(rows)
        #expect(zip(scores, afterwards).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(forest == IsolationForest(rows: rows, featureCount: 5, seed: 9))
    }

    @Test("the seed's detector: no model before 50 readings, trained at 50, retrained every 50")
    func seedCadence() {
        var detector = SeedDetector(featureCount: 5)
        let rows = Self.rows(160)
        for row in rows[..<49] { #expect(!detector.observe(row).modelReady) }
        #expect(detector.observe(rows[49]).modelReady)
        #expect(detector.summary.version == 1 && detector.summary.trainingSamples == 50)
        for row in rows[50..<99] { _ = detector.observe(row) }
        #expect(detector.summary.version == 1)
        _ = detector.observe(rows[99])
        #expect(detector.summary.version == 2 && detector.summary.trainingSamples == 100)
    }

    @Test("the default detector judges trailing windows: a lone spike is no alarm; a lasting fault is one alarm and one event")
    func windowsAndPersistence() throws {
        var detector = BaselineDetector(featureCount: 5)
        for row in Self.rows(300) { _ = detector.observe(row) }
        let wild = [70.0, 9, 100, 50, 92]
        let spike = detector.observe(wild)
        #expect(!spike.isAlarm, "one reading is no alarm: persistence")
        for row in Self.rows(10, seed: 4) { #expect(!detector.observe(row).isAlarm) }
        let verdicts = (0..<15).map { _ in detector.observe(wild) }
        let first = try #require(verdicts.firstIndex { $0.isAlarm }, "a fault lasting 15 readings raises an alarm")
        #expect(first == 2, "three readings beyond the threshold: \(verdicts.map(\.score))")
        #expect(verdicts[first...].allSatisfy(\.isAlarm) && verdicts.filter(\.raisesEvent).count == 1)
        #expect(verdicts[first].contributions.first?.feature == 1 && verdicts[first].severity >= .warning)
        #expect(verdicts[first].expected.count == 5 && abs(verdicts[first].expected[1] - 2.5) < 0.3)
    }

    @Test(
        "a fault that develops over many hours is alarmed before it ends: the baseline does not learn it as normal",
        arguments: [true, false])
    func slowFault(defaultLearning: Bool) throws {
        // A baseline that learns every unflagged window and forgets within a few thousand readings
        // follows the drift: the control that shows the test can fail.
        var parameters = BaselineDetector.Parameters()
        if !defaultLearning { (parameters.learningQuantile, parameters.halfLife) = (1, 2_000) }
        var detector = BaselineDetector(featureCount: 5, parameters: parameters)
        var random = SeededRandom(seed: 11)
        func reading(drift: Double) -> [Double] {
            let load = random.gaussian()
            return [
                70 + 3 * load + random.gaussian(), 2.5 + 0.3 * random.gaussian(), 100 + 5 * random.gaussian(), 50 + 4 * load,
                92 - drift + 0.4 * random.gaussian(),
            ]
        }
        // Two days of healthy readings at one a second: past the plain average of the first hours.
        for _ in 0..<150_000 { _ = detector.observe(reading(drift: 0)) }
        // Efficiency falls by 6 points (15 of its standard deviations) over 40,000 readings.
        let length = 40_000
        let firstAlarm = (0..<length).first { detector.observe(reading(drift: 6 * Double($0) / Double(length))).isAlarm }
        if defaultLearning {
            let alarm = try #require(firstAlarm, "the drift is alarmed before it ends")
            #expect(alarm < length / 2, "within the first half of the drift (at \(alarm))")
        } else {
            #expect(firstAlarm == nil, "a fast-learning baseline follows the drift (alarm at \(firstAlarm ?? -1))")
        }
    }

    @Test("held-out scores as a fading log-scale histogram: quantiles within a bin, old scores forgotten at the given rate")
    func scoreDistribution() throws {
        var distribution = ScoreDistribution()
        for (index, score) in (1...1000).enumerated() { distribution.add(Double(score), rate: 1 / Double(index + 1)) }
        for (q, expected) in [(0.5, 500.0), (0.9, 900), (0.99, 990)] {
            #expect(abs(distribution.quantile(q) / expected - 1) < 0.13, "q\(q): \(distribution.quantile(q))")
        }
        // Scores ten times higher, each with weight 1 %: after 300 of them the old ones hold e^-3 ~ 5 %.
        for _ in 0..<300 { distribution.add(10_000, rate: 0.01) }
        #expect(abs(distribution.quantile(0.5) / 10_000 - 1) < 0.13)
        #expect(distribution.quantile(0.03) < 2_000, "the oldest scores still hold a few percent")
        var writer = ByteWriter()
        distribution.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try ScoreDistribution(from: &reader) == distribution)
    }

    @Test("the window's features: the newest values, medians and scaled median absolute deviations, over the last rows only")
    func windowFeatures() {
        var window = TrailingWindow(length: 5, sensorCount: 2)
        for value in [100.0, 1, 2, 3, 4] { window.push([value, 7]) }
        // 100, 1, 2, 3, 4: newest 4, median 3, deviations 97, 2, 1, 0, 1.
        #expect(window.isFull && window.features == [4, 7, 3, 7, 1.4826, 0])
        window.push([5, 7])  // 100 leaves: 1...5
        #expect(window.features == [5, 7, 3, 7, 1.4826, 0])
        let next = window.pushing([1000, 7])
        #expect(window.features == [5, 7, 3, 7, 1.4826, 0], "pushing leaves the window as it is")
        #expect(next.features[0] == 1000 && next.features[2] == 4 && window.perSensor([1, 2, 10, 20, 100, 200]) == [111, 222])
    }

    @Test("a state saved by an earlier design of the default detector is refused, not misread")
    func earlierStateRefused() {
        var writer = ByteWriter()
        writer.write([Double](repeating: 1, count: 5))  // the first design began with its warm-up rows
        #expect(throws: ByteReader.Malformed.self) { _ = try DetectorKind.default.decode(writer.bytes, featureCount: 5) }
    }

    @Test("a detector restored from its bytes judges the next readings exactly as the original", arguments: DetectorKind.allCases)
    func persistenceRoundTrip(kind: DetectorKind) throws {
        var original = kind.make(featureCount: 5)
        let rows = Self.rows(600)
        for row in rows[..<430] { _ = original.observe(row) }
        var restored = try kind.decode(original.encoded, featureCount: 5)
        for row in rows[430...] { #expect(original.observe(row) == restored.observe(row)) }
        #expect(original.encoded == restored.encoded)
    }
}

@Suite("UTC dates")
struct UTCDateTests {
    @Test("dates by arithmetic match Foundation's calendar, across leap years and before 1970")
    func matchesFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for ms in stride(from: Int64(-5_000_000_000_000), to: 5_000_000_000_000, by: 7_777_777_777) + [
            0, -1, 951_782_400_000, 4_107_542_399_999,
        ] {
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(ms) / 1000))
            #expect(UTCDate.of(ms: ms) == String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!), "\(ms)")
        }
    }
}
