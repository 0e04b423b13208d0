/// The last `length` rows of a machine's readings, and what the default detector judges instead of a
/// single reading: each sensor's newest value, level (median) and spread over them. A fault rarely shows in one
/// reading, and one noisy reading is no fault: on SKAB, per-row methods top out near F1 0.79 with
/// four false alarms in ten healthy rows, while the trailing means and spreads separate faults from
/// noise (docs/detection.md has the figures).
struct TrailingWindow: Sendable, Equatable {
    let length: Int
    let sensorCount: Int
    /// Ring buffer, row-major: row `i` at `i % length`.
    private(set) var values: [Double]
    /// Rows pushed so far (only the last `length` are kept).
    private(set) var pushed: Int

    init(length: Int, sensorCount: Int) {
        self.length = length
        self.sensorCount = sensorCount
        self.values = [Double](repeating: 0, count: length * sensorCount)
        self.pushed = 0
    }

    init(length: Int, sensorCount: Int, values: [Double], pushed: Int) throws {
        guard length > 0, values.count == length * sensorCount, pushed >= 0 else { throw ByteReader.Malformed() }
        self.length = length
        self.sensorCount = sensorCount
        self.values = values
        self.pushed = pushed
    }

    /// Whether `length` rows have been pushed: only then are the features those of a whole window.
    var isFull: Bool { pushed >= length }

    /// Features per row: the newest value, the level and the spread of each sensor.
    var featureCount: Int { 3 * sensorCount }

    mutating func push(_ row: [Double]) {
        let start = (pushed % length) * sensorCount
        for sensor in 0..<sensorCount { values[start + sensor] = row[sensor] }
        pushed += 1
    }

    /// This window with `row` pushed, leaving this one as it is.
    func pushing(_ row: [Double]) -> TrailingWindow {
        var copy = self
        copy.push(row)
        return copy
    }

    /// Each sensor's newest value, then its median over the rows held, then its spread: the median
    /// absolute deviation from that median, scaled by 1.4826 to estimate a standard deviation. The
    /// level and spread are robust (one wild reading moves neither); the newest value lets a sudden
    /// failure show at once, and the detector's persistence keeps a lone spike from being an alarm.
    var features: [Double] {
        let rows = min(pushed, length)
        guard rows > 0 else { return [Double](repeating: 0, count: featureCount) }
        // One allocation per call (this runs for every reading): the newest values, then medians, then spreads.
        let newest = ((pushed - 1) % length) * sensorCount
        return [Double](unsafeUninitializedCapacity: featureCount) { features, initialised in
            var column = [Double](repeating: 0, count: rows)
            for sensor in 0..<sensorCount {
                for row in 0..<rows { column[row] = values[row * sensorCount + sensor] }
                let median = Self.median(&column)
                for row in 0..<rows { column[row] = abs(values[row * sensorCount + sensor] - median) }
                features[sensor] = values[newest + sensor]
                features[sensorCount + sensor] = median
                features[2 * sensorCount + sensor] = 1.4826 * Self.median(&column)
            }
            initialised = featureCount
        }
    }

    /// The median of `values`, which it sorts.
    private static func median(_ values: inout [Double]) -> Double {
        values.sort()
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }

    /// Folds per-feature amounts (newest values, levels, spreads) into one amount per sensor.
    func perSensor(_ amounts: [Double]) -> [Double] {
        (0..<sensorCount).map { amounts[$0] + amounts[sensorCount + $0] + amounts[2 * sensorCount + $0] }
    }
}
