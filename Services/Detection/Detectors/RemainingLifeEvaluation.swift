import Foundation
import PMMath

/// Cross-validation of a remaining-life method on runs to failure, as C-MAPSS's test sets judge it.
///
/// The engines are shuffled and split into `folds` folds; each fold is held out in turn while the
/// others train. A held-out engine is judged twice: cut at a random cycle (seeded, between
/// `minimumCycles` and its last, as NASA's test sets cut their engines before failure), against the
/// capped life left at the cut, and at its true last cycle (0 left). The whole is repeated `repeats`
/// times with other shuffles and cuts, so that a figure does not depend on one lucky split.
public enum RemainingLifeEvaluation {
    /// Where a held-out engine is judged.
    public enum Point: String, Sendable, CaseIterable {
        case truncated, last
    }

    /// The figures of one method at one point, averaged over the repeats.
    public struct Result: Sendable {
        public var point: Point
        /// Root mean squared error in cycles, and its standard deviation over the repeats.
        public var rmse: Double
        public var rmseDeviation: Double
        /// PHM08's score summed over the engines (each held out once per repeat).
        public var score: Double
        /// The share of engines whose true life lies inside the estimate's band.
        public var coverage: Double
        /// The estimates missing over all repeats (counted as `cap`: no degradation seen).
        public var withoutEstimate: Int
    }

    /// PHM08's asymmetric score of one error d = predicted − true: late predictions (d > 0) cost more.
    public static func phm08(_ d: Double) -> Double {
        d < 0 ? exp(-d / 13) - 1 : exp(d / 10) - 1
    }

    /// `method` cross-validated on `engines` (runs to failure).
    public static func crossValidate(
        _ engines: [CMAPSSEngine], method: RemainingLifeMethod, cap: Double = 125, folds: Int = 5, repeats: Int = 5,
        minimumCycles: Int = 31
    ) -> [Result] {
        crossValidate(engines, cap: cap, folds: folds, repeats: repeats, minimumCycles: minimumCycles) { method.fit(runs: $0, cap: cap) }
    }

    /// The models that `fit` learns from the training folds' sensors, cross-validated on `engines`.
    public static func crossValidate(
        _ engines: [CMAPSSEngine], cap: Double = 125, folds: Int = 5, repeats: Int = 5, minimumCycles: Int = 31,
        fit: ([[[Double]]]) -> any RemainingLifeModel
    ) -> [Result] {
        var errors: [Point: [[Double]]] = [:]
        var covered: [Point: Int] = [:]
        var missing: [Point: Int] = [:]
        for repeatIndex in 0..<repeats {
            var random = SeededRandom(seed: UInt64(repeatIndex))
            let order = Array(engines.indices).shuffled(using: &random)
            let cuts = engines.map { Int.random(in: min(minimumCycles, $0.cycles.count)...$0.cycles.count, using: &random) }
            var repeatErrors: [Point: [Double]] = [:]
            for fold in 0..<folds {
                let heldOut = order.indices.filter { $0 % folds == fold }.map { order[$0] }
                let training = order.indices.filter { $0 % folds != fold }.map { engines[order[$0]].sensors(Array(1...CMAPSS.sensorCount)) }
                let model = fit(training)
                for index in heldOut {
                    let engine = engines[index]
                    let sensors = engine.sensors(Array(1...CMAPSS.sensorCount))
                    for point in Point.allCases {
                        let cut = point == .last ? sensors.count : cuts[index]
                        let truth = min(Double(sensors.count - cut), cap)
                        let estimate = model.estimate(Array(sensors.prefix(cut)))
                        if estimate == nil { missing[point, default: 0] += 1 }
                        let life = estimate ?? RemainingLifeEstimate(cycles: cap, lower: cap, upper: cap)
                        repeatErrors[point, default: []].append(life.cycles - truth)
                        if life.lower - 0.5 <= truth && truth <= life.upper + 0.5 { covered[point, default: 0] += 1 }
                    }
                }
            }
            for (point, values) in repeatErrors { errors[point, default: []].append(values) }
        }
        return Point.allCases.map { point in
            let perRepeat = errors[point] ?? []
            let rmses = perRepeat.map { values in (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot() }
            let meanRMSE = rmses.reduce(0, +) / Double(rmses.count)
            let deviation = (rmses.reduce(0) { $0 + ($1 - meanRMSE) * ($1 - meanRMSE) } / Double(rmses.count)).squareRoot()
            let score = perRepeat.map { $0.reduce(0) { $0 + phm08($1) } }.reduce(0, +) / Double(perRepeat.count)
            let judged = Double(perRepeat.reduce(0) { $0 + $1.count })
            return Result(
                point: point, rmse: meanRMSE, rmseDeviation: deviation, score: score,
                coverage: Double(covered[point] ?? 0) / judged, withoutEstimate: missing[point] ?? 0)
        }
    }
}
