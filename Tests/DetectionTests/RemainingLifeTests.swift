import Detectors
import PMMath
import Testing

@Suite("Remaining useful life")
struct RemainingLifeTests {
    /// Runs to failure whose wear indicator stays at 1 until the last `fall` cycles, then falls linearly
    /// to 0 at failure; two sensors follow it with noise, a third is noise alone.
    static func linearRuns(count: Int, seed: UInt64, fall: Int = 100) -> [[[Double]]] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let life = Int.random(in: 150...260, using: &random)
            return (0..<life).map { cycle in
                let wear = min(Double(life - 1 - cycle) / Double(fall), 1)
                return [
                    10 + 5 * wear + 0.2 * random.gaussian(), 3 - 2 * wear + 0.1 * random.gaussian(), 7 + 0.2 * random.gaussian(),
                ]
            }
        }
    }

    /// Each method with the RMSE it must stay under: the trend sees only its last 30 noisy cycles.
    @Test(
        "on a synthetic linear degradation the estimates are close to the true remaining life",
        arguments: [(RemainingLifeMethod.similarity, 3.0), (.ridge, 8), (.trend, 15)])
    func linearDegradation(method: RemainingLifeMethod, bound: Double) throws {
        let model = method.fit(runs: Self.linearRuns(count: 30, seed: 1), cap: 125)
        var errors: [Double] = []
        for run in Self.linearRuns(count: 10, seed: 2) {
            for left in [5, 20, 40, 60, 80] {
                let estimate = try #require(model.estimate(Array(run.dropLast(left))))
                errors.append(estimate.cycles - Double(left))
                #expect(estimate.lower <= estimate.cycles && estimate.cycles <= estimate.upper)
            }
        }
        let rmse = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        #expect(rmse < bound, "RMSE \(rmse) over \(errors)")
    }

    @Test("a straight fall is extrapolated to the threshold, with a band around the truth; already past it, nothing is left")
    func linearTrend() throws {
        var random = SeededRandom(seed: 5)
        let values = (0..<50).map { 1 - 0.01 * Double($0) + 0.005 * random.gaussian() }
        let estimate = try #require(DegradationTrend.remainingLife(values, failureThreshold: 0, direction: .falling))
        #expect(abs(estimate.cycles - 51) < 3 && estimate.lower < 51 && 51 < estimate.upper)
        let rising = try #require(DegradationTrend.remainingLife(values.map { 10 - 5 * $0 }, failureThreshold: 10, direction: .rising))
        #expect(abs(rising.cycles - estimate.cycles) < 1e-6)
        #expect(DegradationTrend.remainingLife([0.3, 0.2, -0.1], failureThreshold: 0, direction: .falling)?.cycles == 0)
    }

    @Test("no degrading trend: no estimate from the trend, the capped life from the learnt models")
    func noDegradation() throws {
        var random = SeededRandom(seed: 8)
        let steady = (0..<60).map { _ in 1 + 0.01 * random.gaussian() }
        #expect(DegradationTrend.remainingLife(steady, failureThreshold: 0, direction: .falling) == nil)
        let recovering = (0..<60).map { 0.5 + 0.005 * Double($0) }
        #expect(DegradationTrend.remainingLife(recovering, failureThreshold: 0, direction: .falling) == nil)
        #expect(DegradationTrend.remainingLife([1, 0.9], failureThreshold: 0, direction: .falling) == nil)

        let runs = Self.linearRuns(count: 30, seed: 1)
        let healthy = Array(Self.linearRuns(count: 1, seed: 3)[0].prefix(60))
        let trend = RemainingLifeMethod.trend.fit(runs: runs, cap: 125)
        #expect(trend.estimate(healthy) == nil)
        for method in [RemainingLifeMethod.similarity, .ridge] {
            let estimate = try #require(method.fit(runs: runs, cap: 125).estimate(healthy))
            #expect(estimate.cycles > 110 && estimate.cycles <= 125, "\(method): \(estimate)")
        }
    }

    @Test("ridge regression recovers a linear function exactly enough, and its intercept is not shrunk")
    func ridge() {
        var random = SeededRandom(seed: 4)
        let rows = (0..<200).map { _ in [random.gaussian(), random.gaussian(), random.gaussian()] }
        let model = RidgeRegression(rows: rows, targets: rows.map { 50 + 2 * $0[0] - 3 * $0[1] }, lambda: 1e-6)
        #expect(abs(model.weights[0] - 2) < 1e-3 && abs(model.weights[1] + 3) < 1e-3 && abs(model.weights[2]) < 1e-3)
        #expect(abs(model.predict([1, 1, 1]) - 49) < 1e-2)
    }

    @Test("the C-MAPSS reader: units, cycles, settings and sensors, and errors naming the line")
    func reader() throws {
        let sensors = (1...21).map { "\(Double($0) + 0.5)" }.joined(separator: " ")
        let text = """
            1 1 -0.0007 -0.0004 100.0 \(sensors)
            1 2 0.0019 -0.0003 100.0 \(sensors)  
            2 1 0.0 0.0 100.0 \(sensors)

            """
        let engines = try CMAPSS.parse(text, file: "sample")
        #expect(engines.map(\.unit) == [1, 2] && engines.map(\.cycles) == [[1, 2], [1]])
        #expect(engines[0].readings[1][0] == 0.0019 && engines[0].readings[0].count == 24)
        #expect(engines[0].sensors([2, 21]) == [[2.5, 21.5], [2.5, 21.5]])
        #expect(engines[0].remainingLife(cap: 125) == [1, 0] && engines[0].prefix(1).cycles == [1])

        #expect(throws: BacktestData.FormatError("sample: line 2: 25 fields, C-MAPSS rows have 26")) {
            try CMAPSS.parse("1 1 0 0 100 \(sensors)\n1 2 0 0 \(sensors)\n", file: "sample")
        }
        #expect(throws: BacktestData.FormatError("sample: line 1: column 7 is \"x\", not a number")) {
            try CMAPSS.parse("1 1 0 0 100 0 x" + String(repeating: " 1", count: 19), file: "sample")
        }
        #expect(throws: BacktestData.FormatError("sample: line 2: cycle 1 of unit 1 does not follow 2")) {
            try CMAPSS.parse("1 2 0 0 100 \(sensors)\n1 1 0 0 100 \(sensors)\n", file: "sample")
        }
    }

    @Test("PHM08's score: late costs more than early")
    func score() {
        #expect(RemainingLifeEvaluation.phm08(0) == 0)
        #expect(RemainingLifeEvaluation.phm08(10) > RemainingLifeEvaluation.phm08(-10))
        #expect(abs(RemainingLifeEvaluation.phm08(-13) - (2.718281828 - 1)) < 1e-6)
    }
}
