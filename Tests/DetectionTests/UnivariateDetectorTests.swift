import Foundation
import PMMath
import ProcessTestSupport
import Testing

@testable import Detectors

@Suite("The default detector on one-value streams")
struct UnivariateDetectorTests {
    /// A daily cycle of `period` readings (level 10, amplitude 5, noise 0.3); from `quietDay` on, for one
    /// period, the cycle's amplitude halves: every value stays inside the normal range.
    static func cycle(count: Int, period: Int = 48, quietDay: Int? = nil, seed: UInt64 = 5) -> [Double] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { index in
            let quiet = quietDay.map { (($0)..<$0 + period).contains(index) } ?? false
            return 10 + (quiet ? 2.5 : 5) * sin(2 * Double.pi * Double(index) / Double(period)) + 0.3 * random.gaussian()
        }
    }

    @Test(
        "the season is the autocorrelation's highest peak when it is strong, or its shortest divisor nearly as high; noise and a constant have none"
    )
    func seasonSearch() {
        #expect(UnivariateDetector.season(of: Self.cycle(count: 500, period: 24)) == 24)
        #expect(UnivariateDetector.season(of: Self.cycle(count: 500, period: 48)) == 48)
        var random = SeededRandom(seed: 8)
        #expect(UnivariateDetector.season(of: (0..<500).map { _ in random.gaussian() }) == nil)
        #expect(UnivariateDetector.season(of: [Double](repeating: 3, count: 500)) == nil)
        // Two seasons must fit: a cycle of 300 readings is not found in 500.
        #expect(UnivariateDetector.season(of: Self.cycle(count: 500, period: 300)) == nil)
    }

    @Test("training on a long history looks for the season in its first values only, in minutes, not hours")
    func longTraining() {
        // The search costs the square of its values: a million would take hours.
        var detector = UnivariateDetector()
        let start = ContinuousClock.now
        detector.train(Self.cycle(count: 200_000, period: 48).map { [$0] })
        #expect(detector.summary.parameters["season"] == "48")
        #expect(ContinuousClock.now - start < .seconds(300), "took \(ContinuousClock.now - start)")
    }

    @Test("a quiet day inside the normal range alarms once through the seasonal difference; the value's own window does not see it")
    func quietDay() throws {
        let values = Self.cycle(count: 3_000, quietDay: 2_400)
        var detector = DetectorKind.default.make(featureCount: 1)
        let verdicts = values.map { detector.observe([$0]) }
        #expect(detector.summary.parameters["season"] == "48")
        let alarms = verdicts.indices.filter { verdicts[$0].isAlarm }
        let first = try #require(alarms.first, "the quiet day raises an alarm")
        #expect((2_400..<2_448).contains(first), "alarm at \(first)")
        #expect(verdicts.filter(\.raisesEvent).count == 1)
        #expect(verdicts[first].contributions.map(\.feature) == [0] && verdicts[first].expected.count == 1)

        // The control: the same baseline on the value alone, with the same hold, never alarms.
        var plain = BaselineDetector(featureCount: 1, parameters: UnivariateDetector.parameters)
        let plainAlarms = values.map { plain.observe([$0]) }.filter(\.isAlarm).count
        #expect(plainAlarms == 0)
    }

    @Test("an alarm is reported for the hold after its condition ends, and a relapse within the hold is the same alarm")
    func alarmHold() {
        var parameters = BaselineDetector.Parameters()
        parameters.alarmHold = 20
        var detector = BaselineDetector(featureCount: 5, parameters: parameters)
        for row in DetectorTests.rows(300) { _ = detector.observe(row) }
        let wild = [70.0, 9, 100, 50, 92]
        let calm = DetectorTests.rows(200, seed: 4)
        var verdicts = (0..<15).map { _ in detector.observe(wild) }
        verdicts += calm[..<15].map { detector.observe($0) }
        verdicts += (0..<15).map { _ in detector.observe(wild) }
        verdicts += calm[15...].map { detector.observe($0) }
        let alarmed = verdicts.indices.filter { verdicts[$0].isAlarm }
        #expect(alarmed.first == 2 && verdicts.filter(\.raisesEvent).count == 1)
        #expect(alarmed.count == alarmed.last! - alarmed.first! + 1, "one alarm, unbroken")
        // The condition outlasts the last wild reading (44) by the window's length at most; the hold adds 20.
        #expect((45 + 20...45 + 10 + 20).contains(alarmed.last! + 1), "alarm ends at \(alarmed.last! + 1)")
    }

    @Test("restored from its bytes before and after the season is decided, it judges the next values as the original")
    func roundTrip() throws {
        let values = Self.cycle(count: 1_200)
        for cut in [300, 900] {
            var original = DetectorKind.default.make(featureCount: 1)
            for value in values[..<cut] { _ = original.observe([value]) }
            var restored = try DetectorKind.default.decode(original.encoded, featureCount: 1)
            for value in values[cut...] { #expect(original.observe([value]) == restored.observe([value])) }
            #expect(original.encoded == restored.encoded)
        }
        #expect(throws: (any Error).self) { _ = try DetectorKind.default.decode([1, 2, 3], featureCount: 1) }
        // A season without its values would read past them at the next judgement: refused.
        var writer = ByteWriter()
        writer.write(UnivariateDetector.stateFormat)
        writer.write([Double]())
        writer.write(48)
        writer.write([Double]())
        writer.write(0)
        #expect(throws: ByteReader.Malformed.self) { _ = try DetectorKind.default.decode(writer.bytes, featureCount: 1) }
    }

    @Test(
        "models saved in earlier formats (4: every histogram bin; 3: also without the alarm hold) are read, not relearnt, and judge as before"
    )
    func previousFormats() throws {
        var original = BaselineDetector(featureCount: 5)
        let rows = DetectorTests.rows(600)
        for row in rows[..<430] { _ = original.observe(row) }
        let format4 = try #require(Data(base64Encoded: BaselineStateFixtures.format4, options: .ignoreUnknownCharacters))
        // Format 3 is format 4 without the hold's counter, which comes fourth from the end (before version,
        // learnt and the learning limit: 8 bytes each).
        var format3 = [UInt8](format4)
        format3.removeSubrange(format3.count - 32..<format3.count - 24)
        var writer = ByteWriter()
        writer.write(BaselineDetector.stateFormatWithoutHold)
        format3.replaceSubrange(0..<8, with: writer.bytes)
        for bytes in [[UInt8](format4), format3] {
            var reference = original
            var reader = ByteReader(bytes)
            var restored = try BaselineDetector(from: &reader, featureCount: 5)
            for row in rows[430...] { #expect(reference.observe(row) == restored.observe(row)) }
            #expect(reference.encoded == restored.encoded)
            // The default for machines reads them too, its load relation starting afresh.
            var upgraded = try DetectorKind.default.decode(bytes, featureCount: 5)
            var again = original
            #expect(upgraded is MachineDetector && upgraded.observe(rows[430]) == again.observe(rows[430]))
        }
        #expect(original.encoded.count < format4.count, "the current format saves fewer bytes")
    }

    @Test("NAB's taxi series: a weekly season is found and at least four of its five windows are detected")
    func taxi() throws {
        let nab = Paths.packageRoot.appendingPathComponent("../shared/data/nab").standardized.path
        let file = "\(nab)/data/realKnownCause/nyc_taxi.csv"
        let labels = "\(nab)/labels/combined_windows.json"
        let scoring = try NABScoring(file: file, labelsPath: labels)
        let data = try BacktestData.read(file, format: .nab)
        let detector = DetectorKind.default.make(featureCount: 1)
        let backtest = Backtest(detector: detector, data: data, trainRows: scoring.probationaryLength)
        let score = scoring.score(detections: NABScoring.alarmStarts(backtest.rows.map(\.predicted)))
        #expect(score.detectedWindows >= 4 && score.falsePositives <= 10, "\(score)")
        var trained = detector
        trained.train(Array(data.rows[..<scoring.probationaryLength]))
        #expect(trained.summary.parameters["season"] == "336", "one week of half hours")
    }
}
