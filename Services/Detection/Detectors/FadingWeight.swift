import Foundation

/// The weight of the next sample in an average that is plain at first and then fades with a half-life:
/// 1/count until the half-life's rate is larger. The window baseline, the load relation and their score
/// histograms all learn so.
struct FadingWeight: Sendable {
    /// The share a new sample takes once the average fades: an old one weighs half `halfLife` samples later.
    let fadingRate: Double

    init(halfLife: Double) { fadingRate = 1 - pow(0.5, 1 / halfLife) }

    /// The weight of the `count`-th sample (counting from 1).
    func weight(ofSample count: Int) -> Double { max(1 / Double(count), fadingRate) }
}
