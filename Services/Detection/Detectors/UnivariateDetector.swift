/// The default detector for streams of one value (a NAB series, a one-column CSV): a
/// ``BaselineDetector`` that sees each value together with its difference from one season earlier,
/// when the stream has a season, and holds an alarm for ``alarmHold`` readings.
///
/// One value's trailing window cannot tell a holiday from an ordinary night when the series has a
/// daily or weekly cycle: its level swings more within a day than the anomaly moves it. The difference
/// from the same moment one season earlier removes the cycle. The season is the lag where the
/// autocorrelation of the first values (the training rows, or the first ``seasonSearchLength`` values
/// observed) peaks highest, if it reaches ``minimumSeasonality`` (or the shortest peak that divides that
/// lag and nearly equals it); at least two seasons must fit in those values.
/// On NAB's realKnownCause files this found a week in the taxi series and no season elsewhere
/// (docs/detection.md).
public struct UnivariateDetector: Detector {
    /// Marks the encoded state of this design.
    static let stateFormat: UInt64 = 0x504D_5544_0001
    /// Values observed before the season is looked for, when no training rows came.
    static let seasonSearchLength = 500
    /// Fewest training values that decide the season at once.
    static let minimumSearchLength = 100
    /// Most values the season is looked for in (seasons up to half of them): the search costs the
    /// square of its values, and a backtest may train on a whole file.
    static let maximumSearchLength = 5_000
    /// Autocorrelation a lag needs to be taken as the season: it then explains about two thirds of the
    /// variance (0.8²), a cycle strong enough that subtracting it removes more than it adds.
    static let minimumSeasonality = 0.8
    /// How much weaker than the best peak a shorter peak dividing it may be and still be the season.
    static let seasonTolerance = 0.02
    /// Readings an alarm stays on after it would end: a single stream wavers around its threshold.
    static let alarmHold = 100

    /// The inner detector's parameters.
    static var parameters: BaselineDetector.Parameters {
        var parameters = BaselineDetector.Parameters()
        parameters.alarmHold = alarmHold
        return parameters
    }

    /// Values kept until the season is decided.
    private var pending: [Double] = []
    /// The season in readings (0: none); nil until decided.
    private var season: Int?
    /// The last `season` values, oldest at `seasonStart`.
    private var lastSeason: [Double] = []
    private var seasonStart = 0
    /// Exists once the season is decided.
    private var baseline: BaselineDetector?

    /// A detector that decides its season from its first values.
    public init() {}

    public mutating func train(_ rows: [[Double]]) {
        guard baseline == nil else {
            baseline!.train(rows.compactMap { features(of: $0[0]) })
            return
        }
        pending += rows.map { $0[0] }
        if pending.count >= Self.minimumSearchLength { decideSeason() }
    }

    public mutating func observe(_ row: [Double]) -> Verdict {
        guard baseline != nil else {
            pending.append(row[0])
            if pending.count >= Self.seasonSearchLength { decideSeason() }
            return .noModel
        }
        guard let features = features(of: row[0]) else { return .noModel }
        return single(baseline!.observe(features))
    }

    public func judge(_ row: [Double]) -> Verdict {
        guard let baseline, let features = features(ifNext: row[0]) else { return .noModel }
        return single(baseline.judge(features))
    }

    /// The baseline's features of `value` were it the next one: the value, and its difference from one
    /// season earlier; nil until a season of values is held.
    private func features(ifNext value: Double) -> [Double]? {
        guard let season, season > 0 else { return [value] }
        return lastSeason.count < season ? nil : [value, value - lastSeason[seasonStart]]
    }

    /// The features of the next value (``features(ifNext:)``), which then joins the last season's values.
    private mutating func features(of value: Double) -> [Double]? {
        defer { remember(value) }
        return features(ifNext: value)
    }

    private mutating func remember(_ value: Double) {
        guard let season, season > 0 else { return }
        if lastSeason.count < season {
            lastSeason.append(value)
        } else {
            lastSeason[seasonStart] = value
            seasonStart = (seasonStart + 1) % season
        }
    }

    /// Decides the season from the pending values, then trains the baseline on them.
    private mutating func decideSeason() {
        let found = Self.season(of: Array(pending.prefix(Self.maximumSearchLength))) ?? 0
        season = found
        var inner = BaselineDetector(featureCount: found == 0 ? 1 : 2, parameters: Self.parameters)
        let values = pending
        pending = []
        inner.train(values.compactMap { features(of: $0) })
        baseline = inner
    }

    /// The season of `values`, if any: the lag of the highest local peak of their autocorrelation, among
    /// lags of at most half their count, if it reaches ``minimumSeasonality``, or the shortest peak
    /// within ``seasonTolerance`` of it that divides it.
    static func season(of values: [Double]) -> Int? {
        let count = values.count
        guard count >= 8 else { return nil }
        let mean = values.reduce(0, +) / Double(count)
        let centred = values.map { $0 - mean }
        let variance = centred.reduce(0) { $0 + $1 * $1 } / Double(count)
        guard variance > 0 else { return nil }
        // Each lag's products averaged over its own pairs, so that long lags are not biased low.
        func autocorrelation(_ lag: Int) -> Double {
            var sum = 0.0
            for index in lag..<count { sum += centred[index] * centred[index - lag] }
            return sum / Double(count - lag) / variance
        }
        let correlations = (0...count / 2).map { $0 == 0 ? 1 : autocorrelation($0) }
        let peaks = (2..<count / 2).filter {
            correlations[$0] >= minimumSeasonality && correlations[$0] > correlations[$0 - 1] && correlations[$0] >= correlations[$0 + 1]
        }
        guard let best = peaks.max(by: { correlations[$0] < correlations[$1] }) else { return nil }
        // Multiples of a season correlate as well as the season itself, up to noise: the shortest peak
        // that divides the best and nearly equals it is the season (a week's peak stands out from the
        // day's by more in the taxi series).
        return peaks.first { best % $0 == 0 && correlations[$0] >= correlations[best] - seasonTolerance } ?? best
    }

    /// The baseline's verdict on the one sensor: its value and its seasonal difference are one sensor's.
    private func single(_ verdict: Verdict) -> Verdict {
        var single = verdict
        single.contributions = verdict.contributions.isEmpty ? [] : [(feature: 0, share: 1)]
        single.expected = Array(verdict.expected.prefix(1))
        return single
    }

    public var modelVersion: Int { baseline?.modelVersion ?? 0 }

    public var summary: ModelSummary {
        guard let baseline, let season else {
            return ModelSummary(
                algorithm: "seasonal_windowed_mahalanobis", version: 0, trainingSamples: pending.count, threshold: 0,
                parameters: ["season": "undecided"], isReady: false)
        }
        var summary = baseline.summary
        summary.algorithm = "seasonal_windowed_mahalanobis"
        summary.parameters["season"] = season == 0 ? "none" : "\(season)"
        return summary
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(Self.stateFormat)
        writer.write(pending)
        writer.write(season ?? -1)
        writer.write(lastSeason)
        writer.write(seasonStart)
        if let baseline { baseline.encode(into: &writer) }
    }

    init(from reader: inout ByteReader) throws {
        guard try reader.readUInt64() == Self.stateFormat else { throw ByteReader.Malformed() }
        pending = try reader.readDoubles()
        let season = try reader.readInt()
        lastSeason = try reader.readDoubles()
        seasonStart = try reader.readInt()
        // Undecided: values pending and nothing else. Decided: a full season of values (none without one).
        let consistent =
            season == -1
            ? lastSeason.isEmpty && seasonStart == 0
            : season >= 0 && pending.isEmpty && lastSeason.count == season && seasonStart < max(season, 1)
        guard consistent else { throw ByteReader.Malformed() }
        guard season >= 0 else { return }
        self.season = season
        baseline = try BaselineDetector(from: &reader, featureCount: season == 0 ? 1 : 2, parameters: Self.parameters)
    }
}
