import Foundation
import PMMath

/// An Isolation Forest as scikit-learn defines it (`sklearn/ensemble/_iforest.py`): each tree is grown
/// on `maxSamples` rows drawn without replacement, splitting on a random feature at a uniform random
/// value between that feature's minimum and maximum in the node, down to depth
/// `ceil(log2(maxSamples))`; a row's path length is the depth of the leaf it reaches plus `c(n)` for
/// the `n` training rows left in that leaf. As in scikit-learn, rows are compared as 32-bit floats.
///
/// The trees live in three flat arrays, nodes in depth-first order, so a node's left child is the next
/// node and only the right child's position is stored: 7 bytes per node, no object per node or tree.
public struct IsolationForest: Sendable, Equatable {
    /// The `feature` of a leaf.
    static let leaf = UInt8.max

    public let featureCount: Int
    /// The number of rows each tree was grown on: `min(256, training rows)` unless chosen.
    public let maxSamples: Int
    /// Where each tree starts in the node arrays.
    private(set) var treeStarts: [Int32] = []
    /// The split feature of each node, or ``leaf``.
    private(set) var features: [UInt8] = []
    /// The split value of an inner node; a leaf's path length (its depth plus `c(n)`).
    private(set) var values: [Float] = []
    /// An inner node's right child, relative to its tree's start.
    private(set) var rightChildren: [UInt16] = []

    /// The number of trees.
    public var treeCount: Int { treeStarts.count }

    /// Grows `trees` trees on `rows` (row-major, `featureCount` values per row, at least one row).
    /// `maxSamples` nil is scikit-learn's "auto": `min(256, rows)`.
    public init(rows: [Double], featureCount: Int, trees: Int = 100, maxSamples: Int? = nil, seed: UInt64) {
        var unused: [Double] = []
        self.init(rows: rows, featureCount: featureCount, trees: trees, maxSamples: maxSamples, seed: seed, pathTotals: &unused)
    }

    /// A forest grown on `rows`, and `score_samples` of those rows (what scikit-learn's `offset_` is
    /// taken from). When every tree holds every row (at most 256 rows), each row's path is known as the
    /// trees grow and costs nothing more.
    public static func fittedWithTrainingScores(rows: [Double], featureCount: Int, trees: Int = 100, seed: UInt64) -> (
        forest: IsolationForest, scores: [Double]
    ) {
        var totals: [Double] = []
        let forest = IsolationForest(rows: rows, featureCount: featureCount, trees: trees, maxSamples: nil, seed: seed, pathTotals: &totals)
        guard forest.maxSamples == rows.count / featureCount else { return (forest, forest.scoreSamples(rows)) }
        let normaliser = Double(forest.treeCount) * averagePathLength(forest.maxSamples)
        return (forest, totals.map { -pow(2, -$0 / normaliser) })
    }

    /// Grows the forest, adding to `pathTotals[row]` each training row's path length in each tree that
    /// holds it.
    private init(rows: [Double], featureCount: Int, trees: Int, maxSamples: Int?, seed: UInt64, pathTotals: inout [Double]) {
        precondition(featureCount > 0 && featureCount < Int(Self.leaf), "1 to 254 features")
        precondition(rows.count >= featureCount && rows.count % featureCount == 0, "whole rows, at least one")
        let rowCount = rows.count / featureCount
        self.featureCount = featureCount
        self.maxSamples = min(maxSamples ?? 256, rowCount)
        let data = rows.map { Float($0) }
        var random = SeededRandom(seed: seed)
        let maxDepth = Int(ceil(log2(Double(max(self.maxSamples, 2)))))
        var builder = TreeBuilder(data: data, featureCount: featureCount, maxDepth: maxDepth, rowCount: rowCount)
        // A tree on n rows has at most 2n - 1 nodes.
        let capacity = trees * (2 * self.maxSamples - 1)
        features.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        rightChildren.reserveCapacity(capacity)
        for _ in 0..<trees {
            treeStarts.append(Int32(features.count))
            var sample = Self.sampleWithoutReplacement(self.maxSamples, from: rowCount, using: &random)
            builder.grow(&sample, into: &self, using: &random)
        }
        pathTotals = builder.pathTotals
    }

    /// scikit-learn's `score_samples` of one row: `-2^(-E[h(x)] / c(maxSamples))`, between -1 and 0,
    /// lower is more anomalous.
    public func scoreSample(_ row: some RandomAccessCollection<Double>) -> Double {
        precondition(row.count == featureCount)
        let total = withUnsafeTemporaryAllocation(of: Float.self, capacity: featureCount) { values in
            for (index, value) in row.enumerated() { values[index] = Float(value) }
            return features.withUnsafeBufferPointer { features in
                self.values.withUnsafeBufferPointer { nodeValues in
                    rightChildren.withUnsafeBufferPointer { rightChildren in
                        var total = 0.0
                        for start in treeStarts {
                            // Down from the root: left is the next node, right is stored.
                            var node = Int(start)
                            while features[node] != Self.leaf {
                                node = values[Int(features[node])] <= nodeValues[node] ? node + 1 : Int(start) + Int(rightChildren[node])
                            }
                            total += Double(nodeValues[node])
                        }
                        return total
                    }
                }
            }
        }
        return -pow(2, -(total / Double(treeCount)) / Self.averagePathLength(maxSamples))
    }

    /// `score_samples` of each row of a row-major matrix.
    public func scoreSamples(_ rows: [Double]) -> [Double] {
        stride(from: 0, to: rows.count, by: featureCount).map { scoreSample(rows[$0..<$0 + featureCount]) }
    }

    /// `c(n)`: the average path length of an unsuccessful search in a binary search tree of `n` nodes;
    /// `c(1) = 0`, `c(2) = 1`.
    public static func averagePathLength(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = Double(n)
        return 2 * (log(m - 1) + 0.577_215_664_901_532_9) - 2 * (m - 1) / m
    }

    /// `count` distinct indices below `total`: a partial Fisher-Yates shuffle, or for a small share of a
    /// large total, Floyd's algorithm (no array of every index).
    static func sampleWithoutReplacement(_ count: Int, from total: Int, using random: inout SeededRandom) -> [Int] {
        // Every row: their order cannot change the tree (splits depend on the set of rows in a node).
        if count == total { return Array(0..<total) }
        if total > 4 * count {
            var chosen = Set<Int>(minimumCapacity: count)
            var sample: [Int] = []
            sample.reserveCapacity(count)
            for upper in (total - count)..<total {
                let pick = Int.random(in: 0...upper, using: &random)
                let index = chosen.contains(pick) ? upper : pick
                chosen.insert(index)
                sample.append(index)
            }
            return sample
        }
        var pool = Array(0..<total)
        for index in 0..<count {
            pool.swapAt(index, Int.random(in: index..<total, using: &random))
        }
        return Array(pool.prefix(count))
    }

    fileprivate mutating func append(feature: UInt8, value: Float) -> Int {
        features.append(feature)
        values.append(value)
        rightChildren.append(0)
        return features.count - 1
    }

    fileprivate mutating func setRightChild(of node: Int, to child: Int) {
        rightChildren[node] = UInt16(child - Int(treeStarts.last!))
    }
}

/// Grows one tree at a time by partitioning an index array in place, as scikit-learn's depth-first builder.
private struct TreeBuilder {
    /// scikit-learn's FEATURE_THRESHOLD: a feature whose range in a node is this small is constant there.
    static let constantRange: Float = 1e-7

    let data: [Float]
    let featureCount: Int
    let maxDepth: Int
    /// The features a split may still draw from, reused from node to node.
    private var candidates: [Int]
    /// Each row's path lengths so far, summed over the trees that hold it.
    private(set) var pathTotals: [Double]

    init(data: [Float], featureCount: Int, maxDepth: Int, rowCount: Int) {
        self.data = data
        self.featureCount = featureCount
        self.maxDepth = maxDepth
        self.candidates = Array(0..<featureCount)
        self.pathTotals = [Double](repeating: 0, count: rowCount)
    }

    mutating func grow(_ indices: inout [Int], into forest: inout IsolationForest, using random: inout SeededRandom) {
        indices.withUnsafeMutableBufferPointer { buffer in
            node(buffer, depth: 0, forest: &forest, random: &random)
        }
    }

    private mutating func node(
        _ rows: UnsafeMutableBufferPointer<Int>, depth: Int, forest: inout IsolationForest, random: inout SeededRandom
    ) {
        guard depth < maxDepth, rows.count >= 2, let (feature, threshold) = split(rows, random: &random) else {
            let pathLength = Float(depth) + Float(IsolationForest.averagePathLength(rows.count))
            _ = forest.append(feature: IsolationForest.leaf, value: pathLength)
            for row in rows { pathTotals[row] += Double(pathLength) }
            return
        }
        let index = forest.append(feature: UInt8(feature), value: threshold)
        let leftCount = partition(rows, feature: feature, threshold: threshold)
        node(UnsafeMutableBufferPointer(rebasing: rows[..<leftCount]), depth: depth + 1, forest: &forest, random: &random)
        forest.setRightChild(of: index, to: forest.features.count)
        node(UnsafeMutableBufferPointer(rebasing: rows[leftCount...]), depth: depth + 1, forest: &forest, random: &random)
    }

    /// A random feature that is not constant among `rows` (features found constant are not drawn
    /// again), and a uniform split value in [min, max); nil when every feature is constant.
    private mutating func split(_ rows: UnsafeMutableBufferPointer<Int>, random: inout SeededRandom) -> (Int, Float)? {
        var remaining = featureCount
        while remaining > 0 {
            let pick = Int.random(in: 0..<remaining, using: &random)
            let feature = candidates[pick]
            var low = Float.infinity
            var high = -Float.infinity
            for row in rows {
                let value = data[row * featureCount + feature]
                low = min(low, value)
                high = max(high, value)
            }
            if high > low + Self.constantRange {
                var threshold = Float(Double(low) + Double.random(in: 0..<1, using: &random) * Double(high - low))
                if threshold >= high { threshold = low }
                return (feature, threshold)
            }
            // Constant here: not drawn again in this node (the order of the rest does not matter).
            remaining -= 1
            candidates.swapAt(pick, remaining)
        }
        return nil
    }

    /// Moves rows whose value is at most `threshold` to the front; returns how many there are.
    private func partition(_ rows: UnsafeMutableBufferPointer<Int>, feature: Int, threshold: Float) -> Int {
        var end = 0
        for position in rows.indices where data[rows[position] * featureCount + feature] <= threshold {
            rows.swapAt(position, end)
            end += 1
        }
        return end
    }
}
