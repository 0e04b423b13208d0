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

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func next() -> [Double] {
        let hour = Double(second % 86_400) / 3_600
        drift = 0.98 * drift + 0.02 * random.gaussian()
        let load = 1 + 0.25 * sin((hour - 8) / 24 * 2 * .pi) + 0.5 * drift
        let fouling = second < foulingStart ? 0 : min(1, Double(second - foulingStart) / Double(foulingLength))
        second += 1
        return [
            55 + 8 * (load - 1) + 6 * fouling + 55 * 0.025 * random.gaussian(),
            3.5 * (0.9 + 0.1 * load) * (1 + 0.025 * random.gaussian()),
            650 * (0.97 + 0.03 * load) * (1 + 0.025 * random.gaussian()),
            30 * load * (1 + 0.1 * fouling) * (1 + 0.025 * random.gaussian()),
            88 - 2 * abs(load - 1) - 12 * fouling + 0.5 * random.gaussian(),
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
        // The first morning the load climbs past anything learnt at night (a third of the readings were
        // beyond it here); the next morning it has been seen.
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
