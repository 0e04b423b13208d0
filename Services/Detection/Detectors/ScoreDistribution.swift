import Foundation

/// The distribution of a detector's held-out scores, as a histogram on a log scale whose old entries
/// fade with the same weights as the baseline's (``BaselineDetector``): the threshold is read from it
/// as a quantile. A window of recent scores, as before, let the threshold climb with a fault that grows
/// over hours (its scores were the recent ones); faded this slowly, a day of faulty scores moves it little.
///
/// Weights are kept lazily: instead of shrinking every bin by `1 - rate` at each score, the unit of the
/// next scores' weights grows by `1 / (1 - rate)`, and all are rescaled now and then.
struct ScoreDistribution: Sendable, Equatable {
    /// Bins per factor of ten: neighbouring bins differ by 12 %, which bounds a quantile's error.
    static let binsPerDecade = 20.0
    /// The smallest and largest scores told apart (log10); scores beyond fall in the end bins.
    static let lowestDecade = -3.0
    static let decades = 10.0
    static var binCount: Int { Int(decades * binsPerDecade) }

    private(set) var weights: [Double]
    private(set) var total: Double
    /// The unit of weight the next score is added in.
    private var increment: Double

    init() {
        weights = [Double](repeating: 0, count: Self.binCount)
        total = 0
        increment = 1
    }

    /// Adds `score` with share `rate` of the weight that will then be held (1 / count for a plain
    /// histogram; the baseline's learning rate for one that fades).
    mutating func add(_ score: Double, rate: Double) {
        var weight = increment
        if total > 0 {
            let rate = min(rate, 0.5)
            increment /= 1 - rate
            weight = rate * increment
        }
        weights[Self.bin(of: score)] += weight
        total += weight
        if increment > 1e100 {
            for index in weights.indices { weights[index] /= increment }
            total /= increment
            increment = 1
        }
    }

    /// The score below which a share `q` of the weight lies, interpolated within its bin on the log scale.
    func quantile(_ q: Double) -> Double {
        guard total > 0 else { return 0 }
        let target = q * total
        var below = 0.0
        for (bin, weight) in weights.enumerated() where weight > 0 {
            if below + weight >= target {
                let within = (target - below) / weight
                return pow(10, Self.lowestDecade + (Double(bin) + within) / Self.binsPerDecade)
            }
            below += weight
        }
        return pow(10, Self.lowestDecade + Self.decades)
    }

    private static func bin(of score: Double) -> Int {
        guard score > 0, score.isFinite else { return score > 0 ? binCount - 1 : 0 }
        let position = (log10(score) - lowestDecade) * binsPerDecade
        return min(max(Int(position), 0), binCount - 1)
    }

    /// The bins from the first to the last that hold weight, and the totals: a detector's scores span a
    /// few of the ten decades, and models are saved after every stream message (all 200 bins were a
    /// fifth of a machine's saved state).
    func encode(into writer: inout ByteWriter) {
        let first = weights.firstIndex { $0 != 0 } ?? 0
        let last = weights.lastIndex { $0 != 0 } ?? first - 1
        writer.write(first)
        writer.write(Array(weights[first..<(last + 1)]))
        writer.write(total)
        writer.write(increment)
    }

    init(from reader: inout ByteReader) throws {
        let first = try reader.readInt()
        let held = try reader.readDoubles()
        guard first >= 0, first <= Self.binCount - held.count else { throw ByteReader.Malformed() }
        weights = [Double](repeating: 0, count: Self.binCount)
        weights.replaceSubrange(first..<(first + held.count), with: held)
        total = try reader.readDouble()
        increment = try reader.readDouble()
    }

    /// Reads every bin, as states saved before the bins were trimmed hold them.
    init(untrimmedFrom reader: inout ByteReader) throws {
        weights = try reader.readDoubles()
        total = try reader.readDouble()
        increment = try reader.readDouble()
        guard weights.count == Self.binCount else { throw ByteReader.Malformed() }
    }
}
