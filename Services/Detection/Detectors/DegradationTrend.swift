/// Remaining life from the trend of a degradation indicator: a straight line fitted by least squares to
/// its recent values, extrapolated to the failure threshold.
///
/// The band comes from the slope's uncertainty: the lines with slope b ± 1.96·se(b), through the same
/// last fitted level, reach the threshold at the band's ends (se from the residuals, n − 2 degrees of
/// freedom). There is no estimate when the values do not move towards the threshold by at least twice
/// their slope's standard error: noise around a level is not degradation, and extrapolating it would
/// give a failure date that means nothing.
public enum DegradationTrend {
    /// Which way the indicator goes as the machine wears.
    public enum Direction: Sendable {
        /// A health indicator: failure when it falls to the threshold.
        case falling
        /// A damage indicator (an anomaly score): failure when it rises to the threshold.
        case rising
    }

    /// Readings to failure after the last of `values` (equally spaced, oldest first, at least 3), or nil
    /// when they show no significant trend towards `failureThreshold`. An indicator already past the
    /// threshold has 0 left.
    public static func remainingLife(
        _ values: [Double], failureThreshold: Double, direction: Direction, minimumTStatistic: Double = 2
    ) -> RemainingLifeEstimate? {
        let n = Double(values.count)
        guard values.count >= 3 else { return nil }
        let centre = (n - 1) / 2
        let mean = values.reduce(0, +) / n
        var (sxx, sxy) = (0.0, 0.0)
        for (index, value) in values.enumerated() {
            sxx += (Double(index) - centre) * (Double(index) - centre)
            sxy += (Double(index) - centre) * (value - mean)
        }
        let slope = sxy / sxx
        let level = mean + slope * centre
        var residuals = 0.0
        for (index, value) in values.enumerated() {
            let residual = value - (mean + slope * (Double(index) - centre))
            residuals += residual * residual
        }
        let slopeError = (residuals / (n - 2) / sxx).squareRoot()
        // Both directions as one: the distance left to the threshold and the speed towards it.
        let sign: Double = direction == .falling ? -1 : 1
        let distance = sign * (failureThreshold - level)
        let speed = sign * slope
        if distance <= 0 { return RemainingLifeEstimate(cycles: 0, lower: 0, upper: 0) }
        guard speed > 0, speed >= minimumTStatistic * slopeError else { return nil }
        let fastest = speed + 1.96 * slopeError
        let slowest = speed - 1.96 * slopeError
        return RemainingLifeEstimate(
            cycles: distance / speed, lower: distance / fastest, upper: slowest > 0 ? distance / slowest : .infinity)
    }
}
