import Foundation
import PMMath
import Testing

@testable import Detectors

/// A pump at one reading a second, as the simulator builds it: a daily load cycle with a slow wander,
/// temperature, vibration, pressure and power rising with the load, and efficiency peaking at nominal
/// load (it falls with |load − 1|), so that the load passes the peak every morning and evening.
private struct Pump {
    var random: SeededRandom
    var drift = 0.0
    var second = 0
    /// Fouling from `foulingStart` (seconds) over `foulingLength`: efficiency down 12 points at its end,
    /// temperature up 6, power 10 %.
    var foulingStart = Int.max
    var foulingLength = 30 * 3_600
    /// The daily load swing and the sensors' relative noise (a chiller's: 0.4 and 0.015).
    var dailySwing = 0.25
    var noise = 0.025
    /// Added to the load: above 0.5, a load the pump has not run at before.
    var loadOffset = 0.0

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func next() -> [Double] {
        let hour = Double(second % 86_400) / 3_600
        drift = 0.98 * drift + 0.02 * random.gaussian()
        let load = 1 + loadOffset + dailySwing * sin((hour - 8) / 24 * 2 * .pi) + 0.5 * drift
        let fouling = second < foulingStart ? 0 : min(1, Double(second - foulingStart) / Double(foulingLength))
        second += 1
        return [
            55 + 8 * (load - 1) + 6 * fouling + 55 * noise * random.gaussian(),
            3.5 * (0.9 + 0.1 * load) * (1 + noise * random.gaussian()),
            650 * (0.97 + 0.03 * load) * (1 + noise * random.gaussian()),
            30 * load * (1 + 0.1 * fouling) * (1 + noise * random.gaussian()),
            88 - 2 * abs(load - 1) - 12 * fouling + 20 * noise * random.gaussian(),
        ]
    }
}

@Suite("Load relation")
struct LoadRelationTests {
    @Test("three healthy days from midnight: a load not seen yet is learnt, not judged, and nothing is alarmed")
    func healthyDays() {
        var pump = Pump(seed: 5)
        var relation = LoadRelation(sensorCount: 5)
        var judgedByHour = [Int](repeating: 0, count: 72)
        var alarms = 0
        for second in 0..<(3 * 86_400) {
            let judgement = relation.observe(pump.next(), othersNormal: true)
            if judgement.isJudged { judgedByHour[second / 3_600] += 1 }
            if judgement.isAlarm { alarms += 1 }
        }
        #expect(alarms == 0, "no alarm on a healthy pump")
        // The first morning the load climbs past anything learnt at night (a fifth of the readings or more
        // are beyond it); the next morning it has been seen.
        let firstMorning = Double(judgedByHour[5..<12].reduce(0, +)) / (7 * 3_600)
        let secondMorning = Double(judgedByHour[29..<36].reduce(0, +)) / (7 * 3_600)
        #expect(firstMorning < 0.8 && secondMorning > 0.95, "judged: \(firstMorning), then \(secondMorning)")
        #expect(relation.threshold.isFinite)
    }

    @Test(
        "a fouling that develops over 30 hours: the load relation alarms within its first half, naming efficiency and its normal value at this load"
    )
    func foulingAlarmed() throws {
        var pump = Pump(seed: 8)
        pump.foulingStart = 50 * 3_600
        var relation = LoadRelation(sensorCount: 5)
        for _ in 0..<pump.foulingStart { _ = relation.observe(pump.next(), othersNormal: true) }
        let firstAlarm = (0..<pump.foulingLength).first { _ in relation.observe(pump.next(), othersNormal: true).isAlarm }
        let alarm = try #require(firstAlarm, "the fouling is alarmed before it ends")
        #expect(alarm < pump.foulingLength / 2, "within its first half (at hour \(Double(alarm) / 3_600))")
        let (contributions, expected) = relation.explanation()
        #expect(shares(contributions).first?.feature == 4, "efficiency drives it: \(contributions)")
        // Efficiency is some points below normal by then; normal is the healthy value at this load (88 at most).
        #expect(expected.count == 5 && expected[4] > 85 && expected[4] <= 88.5, "expected efficiency \(expected)")
    }

    @Test("the default detector for machines alarms on the fouling naming efficiency, and restored mid-fault judges as the original")
    func machineDetectorOnFouling() throws {
        var pump = Pump(seed: 8)
        pump.foulingStart = 50 * 3_600
        var detector = MachineDetector(featureCount: 5)
        for _ in 0..<pump.foulingStart { _ = detector.observe(pump.next()) }
        var firstAlarm: Verdict?
        for _ in 0..<pump.foulingLength {
            let verdict = detector.observe(pump.next())
            if verdict.isAlarm {
                firstAlarm = verdict
                break
            }
        }
        let alarm = try #require(firstAlarm, "the fouling is alarmed before it ends")
        #expect(alarm.raisesEvent && alarm.severity >= .warning)
        #expect(alarm.contributions.first?.feature == 4, "efficiency drives it: \(alarm.contributions)")

        // Saved and restored mid-fault, it judges the next readings exactly as the original.
        var restored = try DetectorKind.default.decode(detector.encoded, featureCount: 5)
        for _ in 0..<2_000 {
            let row = pump.next()
            #expect(detector.observe(row) == restored.observe(row))
        }
        #expect(detector.encoded == restored.encoded)
    }

    @Test("a window baseline saved before the load relation existed is kept on upgrade and judges as before")
    func upgradeKeepsBaseline() throws {
        var baseline = BaselineDetector(featureCount: 5)
        let rows = DetectorTests.rows(900)
        for row in rows[..<600] { _ = baseline.observe(row) }
        var upgraded = try DetectorKind.default.decode(baseline.encoded, featureCount: 5)
        #expect(upgraded is MachineDetector && upgraded.summary.isReady)
        for row in rows[600...] { #expect(baseline.observe(row) == upgraded.observe(row)) }
        #expect(try DetectorKind.default.decode(upgraded.encoded, featureCount: 5).encoded == upgraded.encoded)
    }

    @Test("a state of the first format (load a projection, no hold) keeps its window baseline on upgrade; its relation starts afresh")
    func upgradeFromFirstFormat() throws {
        var pump = Pump(seed: 3)
        var baseline = BaselineDetector(featureCount: 5)
        for _ in 0..<2_000 { _ = baseline.observe(pump.next()) }
        var firstFormat = ByteWriter()
        firstFormat.write(MachineDetector.firstStateFormat)
        baseline.encode(into: &firstFormat)
        firstFormat.write([1.0, 2.0, 3.0])  // the old relation's bytes: not read
        var upgraded = try DetectorKind.default.decode(firstFormat.bytes, featureCount: 5)
        var fromBaseline = try DetectorKind.default.decode(baseline.encoded, featureCount: 5)
        #expect(upgraded.encoded == fromBaseline.encoded)
        for _ in 0..<5_000 {
            let row = pump.next()
            #expect(upgraded.observe(row) == fromBaseline.observe(row))
        }
    }

    @Test(
        "one sensor drifting alone is not a change of load: the others' expected values stay at their readings, the drifting one is named")
    func oneSensorDoesNotMoveTheLoad() throws {
        // A chiller-like pump (its load swings 40 %): after two healthy days its pressure alone falls by
        // 35 % over six hours. Projected on the load direction, the pressure would drag the load down
        // with it, and the load's expected temperature and power with the load.
        var pump = Pump(seed: 14)
        (pump.dailySwing, pump.noise) = (0.4, 0.015)
        var relation = LoadRelation(sensorCount: 5)
        for _ in 0..<(2 * 86_400) { _ = relation.observe(pump.next(), othersNormal: true) }
        let drift = 6 * 3_600
        var alarmed = false
        var row: [Double] = []
        for second in 0..<drift {
            row = pump.next()
            row[2] *= 1 - 0.35 * Double(second) / Double(drift)
            alarmed = relation.observe(row, othersNormal: true).isAlarm || alarmed
        }
        let (contributions, expected) = relation.explanation()
        #expect(alarmed && shares(contributions).first?.feature == 2, "pressure drives it: \(contributions)")
        // The levels lag the readings by their 30-reading average: a few of the noise's percent.
        #expect(abs(expected[0] - row[0]) < 0.05 * row[0] && abs(expected[3] - row[3]) < 0.1 * row[3], "expected \(expected) for \(row)")
        #expect(expected[2] > 1.2 * row[2], "the healthy pressure at this load, not the leaking one: \(expected[2]) for \(row[2])")
    }

    @Test("through a 30-hour fouling the threshold stays within a quarter of the healthy one: the fault's scores do not carry it along")
    func thresholdDoesNotFollowAFault() {
        var pump = Pump(seed: 8)
        pump.foulingStart = 50 * 3_600
        var relation = LoadRelation(sensorCount: 5)
        for _ in 0..<pump.foulingStart { _ = relation.observe(pump.next(), othersNormal: true) }
        let healthy = relation.threshold
        var highest = healthy
        for _ in 0..<pump.foulingLength {
            _ = relation.observe(pump.next(), othersNormal: true)
            highest = max(highest, relation.threshold)
        }
        #expect(healthy.isFinite && highest < 1.25 * healthy, "healthy \(healthy), highest during the fouling \(highest)")
    }

    @Test("after its alarm the relation learns no new load for the hold: the same new load is judged hours later")
    func holdAfterAlarm() throws {
        let hold = 7_200
        func readingsUntilJudgedAtNewLoad(alarmFirst: Bool) -> Int? {
            var pump = Pump(seed: 4)
            var parameters = LoadRelation.Parameters()
            parameters.holdAfterAlarm = hold
            var relation = LoadRelation(sensorCount: 5, parameters: parameters)
            for _ in 0..<(2 * 86_400) { _ = relation.observe(pump.next(), othersNormal: true) }
            if alarmFirst {
                // Temperature 20 % high for ten minutes: alarmed, then back.
                let alarms = (0..<600).filter { _ in
                    var row = pump.next()
                    row[0] *= 1.2
                    return relation.observe(row, othersNormal: true).isAlarm
                }
                #expect(!alarms.isEmpty)
            }
            // The level takes some hundred readings to reach the new load; judged from then on, it was learnt.
            pump.loadOffset = 0.8
            let judged = (0..<(12 * 3_600)).map { _ in relation.observe(pump.next(), othersNormal: true).isJudged }
            return (600..<judged.count).first { judged[$0] }
        }
        let without = try #require(readingsUntilJudgedAtNewLoad(alarmFirst: false))
        let after = try #require(readingsUntilJudgedAtNewLoad(alarmFirst: true))
        // Readings judged normal at the new load before it is beyond the regression count down too: most of the hold.
        #expect(after >= without + hold / 2, "judged after \(without) readings, after an alarm \(after)")
    }

    @Test("saved while the load direction is still being found, the default detector judges on exactly as the original")
    func roundTripBeforeLoadIsFixed() throws {
        var pump = Pump(seed: 12)
        var original = MachineDetector(featureCount: 5)
        // Directions exist from reading 600; the load is fixed at 3,600, the regression judges later.
        for _ in 0..<2_000 { _ = original.observe(pump.next()) }
        var restored = try DetectorKind.default.decode(original.encoded, featureCount: 5)
        var differing = 0
        for _ in 2_000..<12_000 {
            let row = pump.next()
            if original.observe(row) != restored.observe(row) { differing += 1 }
        }
        #expect(differing == 0)
        #expect(original.encoded == restored.encoded && original.summary.parameters["load_relation_judging"] == "true")
    }

    @Test("malformed saved relations are refused: cut short, or a counter no machine reaches")
    func malformedStateRefused() throws {
        var pump = Pump(seed: 2)
        var relation = LoadRelation(sensorCount: 5)
        for _ in 0..<5_000 { _ = relation.observe(pump.next(), othersNormal: true) }
        var writer = ByteWriter()
        relation.encode(into: &writer)
        let bytes = writer.bytes
        var whole = ByteReader(bytes)
        #expect(throws: Never.self) { _ = try LoadRelation(from: &whole, sensorCount: 5) }
        var cut = ByteReader(Array(bytes.dropLast(9)))
        #expect(throws: (any Error).self) { _ = try LoadRelation(from: &cut, sensorCount: 5) }
        // The first 8 bytes are the readings observed: Int.max would overflow at the next reading.
        var huge = bytes
        huge.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        var hugeReader = ByteReader(huge)
        #expect(throws: ByteReader.Malformed.self) { _ = try LoadRelation(from: &hugeReader, sensorCount: 5) }
        var wrongSensors = ByteReader(bytes)
        #expect(throws: (any Error).self) { _ = try LoadRelation(from: &wrongSensors, sensorCount: 4) }
    }

    @Test("a sensor that never moved is taken as noisy as its floor (0.01 % of its level): a step of that size is no alarm, 3 % is")
    func constantSensor() {
        for (step, alarmExpected) in [(0.01, false), (3.0, true)] {
            var pump = Pump(seed: 6)
            var relation = LoadRelation(sensorCount: 6)
            for _ in 0..<(2 * 86_400) { #expect(!relation.observe(pump.next() + [100], othersNormal: true).isAlarm) }
            let alarms = (0..<(4 * 3_600)).filter { _ in relation.observe(pump.next() + [100 + step], othersNormal: true).isAlarm }
            #expect(alarms.isEmpty != alarmExpected, "step \(step): \(alarms.count) readings in alarm")
        }
    }

    @Test("two sensors the load moves together: healthy days raise nothing, a fouling is alarmed; two with no common driver stay silent")
    func twoSensors() throws {
        // Temperature and power both follow the load; the fouling raises temperature far more than the
        // load would for its power.
        var pump = Pump(seed: 9)
        pump.foulingStart = 40 * 3_600
        var relation = LoadRelation(sensorCount: 2)
        var judged = 0
        var healthyAlarms = 0
        for _ in 0..<pump.foulingStart {
            let row = pump.next()
            let judgement = relation.observe([row[0], row[3]], othersNormal: true)
            if judgement.isJudged { judged += 1 }
            if judgement.isAlarm { healthyAlarms += 1 }
        }
        #expect(healthyAlarms == 0 && judged > pump.foulingStart / 2, "judged \(judged), in alarm \(healthyAlarms)")
        let firstAlarm = (0..<pump.foulingLength).first { _ in
            let row = pump.next()
            return relation.observe([row[0], row[3]], othersNormal: true).isAlarm
        }
        #expect(firstAlarm != nil, "the fouling is alarmed before it ends")

        // Temperature and a sensor of its own (noise around 10): no direction dominates.
        var other = Pump(seed: 9)
        var noise = SeededRandom(seed: 10)
        var unrelated = LoadRelation(sensorCount: 2)
        let judgedUnrelated = (0..<(2 * 86_400)).filter { _ in
            unrelated.observe([other.next()[0], 10 + noise.gaussian()], othersNormal: true).isJudged
        }
        #expect(judgedUnrelated.isEmpty)
    }

    @Test("eigen-decomposition of degenerate matrices: zero, repeated eigenvalues, one by one")
    func symmetricEigenDegenerate() {
        let (zeroValues, zeroVectors) = SymmetricEigen.decompose([Double](repeating: 0, count: 9), size: 3)
        #expect(zeroValues == [0, 0, 0] && zeroVectors.count == 3)
        let (identityValues, identityVectors) = SymmetricEigen.decompose([2, 0, 0, 0, 2, 0, 0, 0, 2], size: 3)
        #expect(identityValues == [2, 2, 2])
        for (j, k) in [(0, 0), (0, 1), (1, 2), (2, 2)] {
            let dot = zip(identityVectors[j], identityVectors[k]).map { $0 * $1 }.reduce(0, +)
            #expect(abs(dot - (j == k ? 1 : 0)) < 1e-12)
        }
        let (oneValues, oneVectors) = SymmetricEigen.decompose([7], size: 1)
        #expect(oneValues == [7] && oneVectors == [[1]])
    }

    @Test("eigen-decomposition of symmetric matrices: A v = λ v, unit orthogonal vectors, largest first")
    func symmetricEigen() {
        let (pairValues, pairVectors) = SymmetricEigen.decompose([2, 1, 1, 2], size: 2)
        #expect(abs(pairValues[0] - 3) < 1e-12 && abs(pairValues[1] - 1) < 1e-12)
        #expect(abs(abs(pairVectors[0][0]) - 0.5.squareRoot()) < 1e-12 && abs(pairVectors[0][0] - pairVectors[0][1]) < 1e-12)
        var random = SeededRandom(seed: 4)
        let size = 6
        let b = (0..<(size * size)).map { _ in random.gaussian() }
        // A = B Bᵀ: symmetric, positive semi-definite.
        let a = (0..<(size * size)).map { index in
            (0..<size).map { b[index / size * size + $0] * b[index % size * size + $0] }.reduce(0, +)
        }
        let (values, vectors) = SymmetricEigen.decompose(a, size: size)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
        for k in 0..<size {
            for i in 0..<size {
                let av = (0..<size).map { a[i * size + $0] * vectors[k][$0] }.reduce(0, +)
                #expect(abs(av - values[k] * vectors[k][i]) < 1e-9)
            }
            for j in 0..<size {
                let dot = zip(vectors[k], vectors[j]).map { $0 * $1 }.reduce(0, +)
                #expect(abs(dot - (j == k ? 1 : 0)) < 1e-9)
            }
        }
    }
}
