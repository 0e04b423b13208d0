import Foundation

/// Judges each sensor's slow level against what the machine's load predicts for it: the part of the
/// default detector (``MachineDetector``) that catches faults developing over hours or days, which a
/// baseline of the readings themselves learns as normal on the way (docs/detection.md, "Slow faults").
///
/// - *Level*: each sensor's exponential average over `levelSpan` readings.
/// - *Short-term relations*: the covariance of level changes over `changeLag` readings (halved: the
///   variance of one level), learnt over about a day. It holds the sensors' noise and the quick wander of
///   the load, but neither the daily cycle nor a slow fault, so no drift can widen it. In its
///   correlation form, its largest eigenvector is the direction in which the load moves all sensors.
/// - *Load coordinate*: the direction is fixed once `loadFixedAfter` readings have shown it (a coordinate
///   that moved would void what was learnt along it). Each sensor's level then implies a load (its change
///   since then over its share of the direction); the coordinate is their median weighted by the squared
///   shares. Their weighted mean would be the projection on the direction, which one sensor's fault moves
///   by its share: a chiller's seal leak, lowering a pressure the load also moves, read as a lower load.
///   With two sensors the median is either one's load, and the projection is kept.
/// - *Reference*: each sensor's level regressed on the load coordinate and its square (a pump's
///   efficiency peaks at its best-efficiency load; a straight line alarmed whenever the load passed it),
///   learnt as the window baseline learns: a plain average, then a half-life, only from readings below
///   the `learningQuantile` of held-out scores.
/// - *Score*: the level's deviation from the reference in short-term standard deviations, along every
///   eigen-direction but the load's (the one nearest the fixed load direction, as the directions are
///   re-derived), each divided by its eigenvalue.
/// - *Extrapolation*: at a load the regression has not seen (leverage above `maximumLeverage`: the first
///   morning of a machine connected at night) the level is not judged but learnt, unless the window
///   detector finds the reading unusual or the relation alarmed lately (`holdAfterAlarm`): a new
///   operating point, not a fault.
/// - *Alarm*: `persistence` readings in a row above `margin` × the `quantile` of held-out scores (a
///   histogram as the window baseline's; flagged scores never enter it, nor, once it holds
///   `rememberedBandAfter` of them, scores above `rememberedBand` × that quantile).
struct LoadRelation: Sendable {
    struct Parameters: Sendable, Equatable {
        /// Readings the level averages over (exponential).
        var levelSpan = 30.0
        /// Readings between the two levels whose difference is a short-term change.
        var changeLag = 120
        /// Readings the change covariance is learnt over (its plain average until then).
        var changeMemory = 86_400
        /// Readings before the load direction is fixed.
        var loadFixedAfter = 3_600
        /// The load direction is fixed only once its eigenvalue is this many times the next one: a load
        /// that moves the sensors together. Without one (two sensors with no common driver) the largest
        /// eigenvector is any mix of them, the "load" holds the faults too, and the relation stays silent.
        var loadDominance = 2.0
        /// Readings learnt along the load before the first judgement.
        var warmUp = 3_600
        /// Held-out scores before the first threshold.
        var thresholdAfter = 3_000
        /// Readings between two estimates of the threshold (the first held-out score after them). An
        /// estimate lags a fault that develops within the hour; re-estimated every 600 readings, the
        /// threshold rose with the scores of faults starting in a machine's first hours and missed four
        /// more of 159 (docs/detection.md).
        var thresholdEvery = 3_600
        /// Leverage (`φᵀ G⁻¹ φ`, 3 on average over what was learnt) above which a load is new.
        var maximumLeverage = 9.0
        var margin = 4.0
        var quantile = 0.95
        var learningQuantile = 0.9
        /// Readings in a row above the threshold before an alarm: a slow fault has time, a wobble has not.
        var persistence = 60
        /// As the window baseline's: a fault that develops over a day or two must not become normal.
        var halfLife = 100_000.0
        /// After an alarm, loads not seen yet are not learnt for this many normal readings (judged normal
        /// by the relation, or at loads it does not judge, by the window baseline): half a day at one
        /// reading a second, the longest seal leak: the relation alarmed on a leak until the pressure it dropped passed every
        /// load learnt, the window baseline had got used to it, and the leak was learnt as a new load (the
        /// next leak on that chiller then looked normal). Bounded, so that a machine that moved to a new
        /// operating point for good is judged there again.
        var holdAfterAlarm = 43_200
        /// Once `rememberedBandAfter` held-out scores are in (a day at one reading a second: the daily
        /// cycle's), scores above `rememberedBand` × their `quantile` are not remembered. Faults fill a
        /// quarter of the simulated weeks; their scores, each below the threshold of its hour, carried the
        /// threshold along (643 to 4,507 over one seal leak). Truncated at twice its 95th percentile,
        /// a healthy exponential tail reads 2.94 for 3.00: the threshold does not ratchet down.
        var rememberedBand = 2.0
        var rememberedBandAfter = 86_400
    }

    /// Over two days, scores left out by the band fade; when they are more than half of the scores,
    /// the band is lifted: a new normal (a machine re-rated, a new season), not a fault of some hours.
    static let bandedShareRate = 1.0 / 172_800
    static let newNormalShare = 0.5
    /// Levels are sampled for the change covariance every so many readings.
    static let changeStep = 10
    /// Directions are re-derived from the change covariance every so many readings, once it holds
    /// `minimumChangeSamples` changes.
    static let refreshEvery = 600
    static let minimumChangeSamples = 30
    /// The regression is solved again every so many learnt readings.
    static let solveEvery = 60
    /// A sensor's short-term deviation is at least this share of its level (at least 1), so that a sensor
    /// that never moved is not infinitely precise: below the noise of every simulated sensor's level
    /// (an efficiency's is about 0.05 %), far above rounding.
    static let scaleFloor = 1e-4
    /// Counters in a saved state above this are malformed (a machine would take 10¹⁰ years to reach it).
    static let maximumCount = 1 << 60
    /// Terms of the regression on the load coordinate z: 1, z, z².
    static let terms = 3

    let parameters: Parameters
    private let fading: FadingWeight
    let sensorCount: Int
    private(set) var observed = 0
    private(set) var level: [Double] = []
    /// The last `changeLag / changeStep` sampled levels, a ring.
    private var sampledLevels: [Double]
    private var samplesTaken = 0
    private var changeCovariance: [Double]
    private var changeSamples = 0
    /// Eigenvalues of the change correlation, largest first (empty until first derived).
    private var eigenvalues: [Double] = []
    /// Eigenvectors, row k for `eigenvalues[k]`, in standardised units.
    private var eigenvectors: [Double] = []
    /// Each sensor's short-term standard deviation: what standardises it.
    private var scale: [Double] = []
    /// The load direction standardised (eigenvector / scale when fixed); empty until fixed.
    private var loadWeights: [Double] = []
    /// The levels when the load was fixed: load 0.
    private var loadOrigin: [Double] = []
    /// How the load moves each sensor's level, in its units (the load eigenvector × scale when fixed).
    private var loadDirection: [Double] = []
    /// The eigen-direction nearest the load direction: the load's, left out of the score.
    private var loadIndex = 0
    /// Weighted averages of φφᵀ and φ·levelᵀ (φ = 1, z, z²): the regression's sufficient statistics.
    private var gram: [Double]
    private var cross: [Double]
    private var learnt = 0
    /// Regression coefficients, row per term; empty until first solved.
    private var coefficients: [Double] = []
    private var gramInverse: [Double] = []
    private var scores = ScoreDistribution()
    private var scored = 0
    private(set) var threshold = Double.infinity
    private var learningLimit = Double.infinity
    /// Threshold estimates so far (a new one is a new model version), and the reading of the last.
    private(set) var estimates = 0
    private var estimatedAt = 0
    private var flaggedRun = 0
    /// Normal readings still needed, counted down from `holdAfterAlarm` at the last alarm, before new loads are learnt.
    private var holdLeft = 0
    /// The share of held-out scores left out by the band lately (fading over about two days).
    private var bandedShare = 0.0
    /// Room for one residual, so that judging a reading allocates nothing (not saved).
    private var residualScratch: [Double]

    init(sensorCount: Int, parameters: Parameters = Parameters()) {
        precondition(sensorCount >= 2, "a relation needs two sensors or more")
        precondition(parameters.changeLag >= Self.changeStep && parameters.thresholdEvery > 0)
        self.parameters = parameters
        self.fading = FadingWeight(halfLife: parameters.halfLife)
        self.sensorCount = sensorCount
        sampledLevels = [Double](repeating: 0, count: parameters.changeLag / Self.changeStep * sensorCount)
        changeCovariance = [Double](repeating: 0, count: sensorCount * sensorCount)
        gram = [Double](repeating: 0, count: Self.terms * Self.terms)
        cross = [Double](repeating: 0, count: Self.terms * sensorCount)
        residualScratch = [Double](repeating: 0, count: sensorCount)
    }

    /// What ``observe(_:othersNormal:)`` found.
    struct Judgement: Equatable {
        /// False where the relation is not judged: too little history, or a load not seen yet.
        var isJudged = false
        var score = 0.0
        var threshold = Double.infinity
        var isAnomalous = false
        var isAlarm = false
        /// The score over the threshold (0 when not judged).
        var ratio: Double { isJudged && threshold.isFinite && threshold > 0 ? score / threshold : 0 }
    }

    /// Judges `row` and learns from it. `othersNormal`: the window detector finds nothing unusual, so a
    /// level at a new load may be learnt as a new operating point.
    mutating func observe(_ row: [Double], othersNormal: Bool) -> Judgement {
        observed += 1
        updateLevel(row)
        if observed % Self.changeStep == 0 { sampleLevel() }
        if observed % Self.refreshEvery == 0 && changeSamples > Self.minimumChangeSamples { deriveDirections() }
        guard !eigenvalues.isEmpty else { return Judgement() }
        if loadWeights.isEmpty {
            guard observed >= parameters.loadFixedAfter, eigenvalues[0] >= parameters.loadDominance * eigenvalues[1] else {
                return Judgement()
            }
            fixLoadDirection()
        }
        let z = load(of: level)
        guard learnt >= parameters.warmUp, !coefficients.isEmpty else {
            learn(z)
            return Judgement()
        }
        guard leverage(z) <= parameters.maximumLeverage else {
            flaggedRun = 0
            if othersNormal {
                if holdLeft == 0 { learn(z) } else { holdLeft -= 1 }
            }
            return Judgement()
        }
        let score = score(z)
        let judgement = Judgement(
            isJudged: true, score: score, threshold: threshold, isAnomalous: score > threshold,
            isAlarm: score > threshold && flaggedRun + 1 >= parameters.persistence)
        flaggedRun = judgement.isAnomalous ? flaggedRun + 1 : 0
        if judgement.isAlarm {
            holdLeft = parameters.holdAfterAlarm
        } else if !judgement.isAnomalous {
            holdLeft = max(holdLeft - 1, 0)
        }
        // Judged with the threshold as it stood; a new estimate applies from the next reading.
        if !judgement.isAnomalous { remember(score, z: z) }
        return judgement
    }

    /// Each sensor's share of the current score (may be negative) and its value expected at the current
    /// load; empty until the regression is first solved.
    func explanation() -> (contributions: [Double], expected: [Double]) {
        guard !coefficients.isEmpty else { return ([], []) }
        let z = load(of: level)
        var residual = [Double](repeating: 0, count: sensorCount)
        self.residual(z, into: &residual)
        var contributions = [Double](repeating: 0, count: sensorCount)
        for k in 0..<sensorCount where k != loadIndex {
            let projection = projection(residual, onto: k) / eigenvalueFloor(k)
            for s in 0..<sensorCount { contributions[s] += projection * eigenvectors[k * sensorCount + s] * residual[s] }
        }
        return (contributions, (0..<sensorCount).map { expectedLevel(sensor: $0, z: z) })
    }

    // MARK: - Levels and the short-term relations

    private mutating func updateLevel(_ row: [Double]) {
        guard !level.isEmpty else {
            level = row
            return
        }
        let rate = 1 / parameters.levelSpan
        for s in 0..<sensorCount { level[s] += rate * (row[s] - level[s]) }
    }

    /// Samples the level; the change from the sample `changeLag` readings earlier teaches the covariance.
    private mutating func sampleLevel() {
        let ringLength = sampledLevels.count / sensorCount
        let slot = samplesTaken % ringLength * sensorCount
        if samplesTaken >= ringLength {
            changeSamples += 1
            let rate = max(1 / Double(changeSamples), Double(Self.changeStep) / Double(parameters.changeMemory))
            for i in 0..<sensorCount {
                let di = level[i] - sampledLevels[slot + i]
                for j in 0..<sensorCount {
                    let dj = level[j] - sampledLevels[slot + j]
                    changeCovariance[i * sensorCount + j] += rate * (di * dj / 2 - changeCovariance[i * sensorCount + j])
                }
            }
        }
        for s in 0..<sensorCount { sampledLevels[slot + s] = level[s] }
        samplesTaken += 1
    }

    /// Eigen-directions of the change correlation, each sensor standardised by its short-term deviation
    /// (floored, so that a constant sensor does not divide by zero).
    private mutating func deriveDirections() {
        scale = (0..<sensorCount).map { s in
            max(changeCovariance[s * sensorCount + s].squareRoot(), Self.scaleFloor * max(abs(level[s]), 1))
        }
        var correlation = changeCovariance
        for i in 0..<sensorCount {
            for j in 0..<sensorCount { correlation[i * sensorCount + j] /= scale[i] * scale[j] }
            // A floored sensor moves as much as its floor: unit variance, like every other.
            correlation[i * sensorCount + i] = 1
        }
        let (values, vectors) = SymmetricEigen.decompose(correlation, size: sensorCount)
        eigenvalues = values
        eigenvectors = vectors.flatMap { $0 }
        if !loadDirection.isEmpty {
            // The load's direction in today's standardised units; the eigenvectors may have changed order.
            let direction = (0..<sensorCount).map { loadDirection[$0] / scale[$0] }
            loadIndex = (0..<sensorCount).max { abs(projection(direction, onto: $0)) < abs(projection(direction, onto: $1)) } ?? 0
        }
    }

    /// Fixes the load coordinate along the largest eigenvector, signed so that most sensors rise with it.
    private mutating func fixLoadDirection() {
        let direction = Array(eigenvectors[0..<sensorCount])
        let sign: Double = direction.reduce(0, +) < 0 ? -1 : 1
        loadWeights = (0..<sensorCount).map { sign * direction[$0] / scale[$0] }
        loadDirection = (0..<sensorCount).map { sign * direction[$0] * scale[$0] }
        loadIndex = 0
        loadOrigin = level
    }

    /// The weighted median of the loads each sensor's level implies (the projection for two sensors).
    private func load(of level: [Double]) -> Double {
        guard sensorCount >= 3 else { return projectedLoad(of: level) }
        // Sensor s implies load (level − origin) / direction, with weight direction² / scale² (its
        // squared share of the unit eigenvector). A handful of sensors: quadratic, allocating nothing.
        func implied(_ s: Int) -> Double { (level[s] - loadOrigin[s]) / loadDirection[s] }
        func weight(_ s: Int) -> Double { loadWeights[s] * loadDirection[s] }
        let half = (0..<sensorCount).reduce(0) { $0 + weight($1) } / 2
        var median = Double.infinity
        for candidate in 0..<sensorCount where weight(candidate) > 0 && implied(candidate) < median {
            let atOrBelow = (0..<sensorCount).reduce(0) { implied($1) <= implied(candidate) ? $0 + weight($1) : $0 }
            if atOrBelow >= half { median = implied(candidate) }
        }
        return median.isFinite ? median : projectedLoad(of: level)
    }

    /// The level's projection on the load direction: their weighted mean.
    private func projectedLoad(of level: [Double]) -> Double {
        (0..<sensorCount).reduce(0) { $0 + loadWeights[$1] * (level[$1] - loadOrigin[$1]) }
    }

    /// Eigenvalues near zero (two sensors that move as one) are floored: a tiny wobble between them is
    /// not thousands of standard deviations.
    private func eigenvalueFloor(_ k: Int) -> Double { max(eigenvalues[k], 1e-3) }

    private func projection(_ residual: [Double], onto k: Int) -> Double {
        var sum = 0.0
        for s in 0..<sensorCount { sum += eigenvectors[k * sensorCount + s] * residual[s] }
        return sum
    }

    // MARK: - The regression on the load

    private func expectedLevel(sensor s: Int, z: Double) -> Double {
        coefficients[s] + z * (coefficients[sensorCount + s] + z * coefficients[2 * sensorCount + s])
    }

    /// The regression's leverage at load `z`: about 3 on average over the loads learnt, growing fast
    /// beyond their range.
    private func leverage(_ z: Double) -> Double {
        let phi = (1.0, z, z * z)
        func term(_ i: Int) -> Double { i == 0 ? phi.0 : i == 1 ? phi.1 : phi.2 }
        var sum = 0.0
        for i in 0..<Self.terms { for j in 0..<Self.terms { sum += term(i) * gramInverse[i * Self.terms + j] * term(j) } }
        return sum
    }

    /// The level's deviation from the regression at load `z`, in short-term standard deviations.
    private func residual(_ z: Double, into residual: inout [Double]) {
        for s in 0..<sensorCount { residual[s] = (level[s] - expectedLevel(sensor: s, z: z)) / scale[s] }
    }

    /// The Mahalanobis distance² of the residual off the load's eigen-direction.
    private mutating func score(_ z: Double) -> Double {
        residual(z, into: &residualScratch)
        var score = 0.0
        for k in 0..<sensorCount where k != loadIndex {
            let projection = projection(residualScratch, onto: k)
            score += projection * projection / eigenvalueFloor(k)
        }
        return score
    }

    private mutating func learn(_ z: Double) {
        learnt += 1
        let rate = fading.weight(ofSample: learnt)
        let phi = [1, z, z * z]
        for i in 0..<Self.terms {
            for j in 0..<Self.terms { gram[i * Self.terms + j] += rate * (phi[i] * phi[j] - gram[i * Self.terms + j]) }
            for s in 0..<sensorCount { cross[i * sensorCount + s] += rate * (phi[i] * level[s] - cross[i * sensorCount + s]) }
        }
        if learnt % Self.solveEvery == 0 || (coefficients.isEmpty && learnt >= parameters.warmUp) { solve() }
    }

    /// Coefficients = G⁻¹ C, with a tiny ridge so that the narrow loads of a first hour stay solvable.
    private mutating func solve() {
        var regularised = gram
        for i in 0..<Self.terms { regularised[i * Self.terms + i] += 1e-9 * abs(gram[i * Self.terms + i]) + 1e-12 }
        let factor = Cholesky.factor(regularised, size: Self.terms)
        gramInverse = (0..<Self.terms).flatMap { i in
            Cholesky.solve(factor, (0..<Self.terms).map { $0 == i ? 1 : 0 }, size: Self.terms)
        }
        coefficients = [Double](repeating: 0, count: Self.terms * sensorCount)
        for s in 0..<sensorCount {
            let column = Cholesky.solve(factor, (0..<Self.terms).map { cross[$0 * sensorCount + s] }, size: Self.terms)
            for i in 0..<Self.terms { coefficients[i * sensorCount + s] = column[i] }
        }
    }

    // MARK: - Threshold

    /// A held-out score (judged before being learnt); typical ones are learnt.
    private mutating func remember(_ score: Double, z: Double) {
        if scored >= parameters.rememberedBandAfter {
            let outside = score > parameters.rememberedBand * threshold / parameters.margin
            bandedShare += Self.bandedShareRate * ((outside ? 1 : 0) - bandedShare)
            guard !outside || bandedShare > Self.newNormalShare else { return }
        }
        scored += 1
        scores.add(score, rate: fading.weight(ofSample: scored))
        if threshold.isInfinite ? scored >= parameters.thresholdAfter : observed - estimatedAt >= parameters.thresholdEvery {
            threshold = parameters.margin * scores.quantile(parameters.quantile)
            learningLimit = scores.quantile(parameters.learningQuantile)
            estimates += 1
            estimatedAt = observed
        }
        if score < learningLimit { learn(z) }
    }
}

extension LoadRelation {
    func encode(into writer: inout ByteWriter) {
        writer.write(observed)
        writer.write(level)
        writer.write(sampledLevels)
        writer.write(samplesTaken)
        writer.write(changeCovariance)
        writer.write(changeSamples)
        writer.write(eigenvalues)
        writer.write(eigenvectors)
        writer.write(scale)
        writer.write(loadWeights)
        writer.write(loadOrigin)
        writer.write(loadDirection)
        writer.write(loadIndex)
        writer.write(gram)
        writer.write(cross)
        writer.write(learnt)
        writer.write(coefficients)
        writer.write(gramInverse)
        scores.encode(into: &writer)
        writer.write(scored)
        writer.write(threshold)
        writer.write(learningLimit)
        writer.write(estimates)
        writer.write(estimatedAt)
        writer.write(flaggedRun)
        writer.write(holdLeft)
        writer.write(bandedShare)
    }

    init(from reader: inout ByteReader, sensorCount: Int, parameters: Parameters = Parameters()) throws {
        self.init(sensorCount: sensorCount, parameters: parameters)
        observed = try reader.readInt()
        level = try reader.readDoubles()
        sampledLevels = try reader.readDoubles()
        samplesTaken = try reader.readInt()
        changeCovariance = try reader.readDoubles()
        changeSamples = try reader.readInt()
        eigenvalues = try reader.readDoubles()
        eigenvectors = try reader.readDoubles()
        scale = try reader.readDoubles()
        loadWeights = try reader.readDoubles()
        loadOrigin = try reader.readDoubles()
        loadDirection = try reader.readDoubles()
        loadIndex = try reader.readInt()
        gram = try reader.readDoubles()
        cross = try reader.readDoubles()
        learnt = try reader.readInt()
        coefficients = try reader.readDoubles()
        gramInverse = try reader.readDoubles()
        scores = try ScoreDistribution(from: &reader)
        scored = try reader.readInt()
        threshold = try reader.readDouble()
        learningLimit = try reader.readDouble()
        estimates = try reader.readInt()
        estimatedAt = try reader.readInt()
        flaggedRun = try reader.readInt()
        holdLeft = try reader.readInt()
        bandedShare = try reader.readDouble()
        let n = sensorCount
        let sizesValid =
            [0, n].contains(level.count) && sampledLevels.count == parameters.changeLag / Self.changeStep * n
            && changeCovariance.count == n * n && [0, n].contains(eigenvalues.count) && eigenvectors.count == eigenvalues.count * n
            && scale.count == eigenvalues.count && [0, n].contains(loadWeights.count) && loadDirection.count == loadWeights.count
            && loadOrigin.count == loadWeights.count
            && gram.count == Self.terms * Self.terms
            && cross.count == Self.terms * n && [0, Self.terms * n].contains(coefficients.count)
            && gramInverse.count == (coefficients.isEmpty ? 0 : Self.terms * Self.terms)
            // Each stage needs the one before: directions, then the load, then the regression.
            && (loadWeights.isEmpty || !eigenvalues.isEmpty) && (coefficients.isEmpty || !loadWeights.isEmpty)
            && !level.isEmpty == (observed > 0) && (0..<n).contains(loadIndex)
        let countsValid = [observed, samplesTaken, changeSamples, learnt, scored, estimates, estimatedAt, flaggedRun, holdLeft].allSatisfy {
            (0...Self.maximumCount).contains($0)
        }
        guard sizesValid, countsValid, (0...1).contains(bandedShare) else { throw ByteReader.Malformed() }
    }
}
