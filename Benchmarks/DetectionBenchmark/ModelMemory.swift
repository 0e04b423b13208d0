import Detectors
import Foundation
import PMMath
import ServiceKit

/// Resident memory per machine model: RSS before and after restoring `models` machines' detectors from
/// saved states, divided by their number (what a replica holds after reading its SQLite rows), and how
/// long restoring them all takes. The states are those of a few detectors past every warm-up (for the
/// default, its load relation judging: about 10,000 readings each, too many to run for every model).
enum ModelMemory {
    static let distinctModels = 10

    static func run(detector name: String, models count: Int) {
        let kind = DetectorKind(rawValue: name)!
        var random = SeededRandom(seed: 7)
        let warmUp = kind == .seed ? SeedDetector.window : 12_000
        // Five sensors moved by one wandering load, each with noise of its own: the load relation finds
        // its load only in sensors that share a driver.
        var load = 0.0
        let saved = (0..<distinctModels).map { _ in
            var detector = kind.make(featureCount: 5)
            for _ in 0..<warmUp {
                load = 0.99 * load + 0.1 * random.gaussian()
                _ = detector.observe((0..<5).map { _ in load + 0.2 * random.gaussian() })
            }
            return detector.encoded
        }
        let before = residentBytes()
        let start = ContinuousClock.now
        var detectors: [any Detector] = []
        detectors.reserveCapacity(count)
        for index in 0..<count { detectors.append(try! kind.decode(saved[index % distinctModels], featureCount: 5)) }
        let restore = ContinuousClock.now - start
        let after = residentBytes()
        let ready = detectors.filter(\.summary.isReady).count
        let relationJudging = detectors.filter { $0.summary.parameters["load_relation_judging"] == "true" }.count
        print(
            String(
                format:
                    "Memory, %@ detector: %d machines' models (%d ready, %d with a load relation judging) add %.1f MiB resident: %.1f KiB per model; %.1f KiB saved per model, all restored in %.2f s",
                name, count, ready, relationJudging, Double(after - before) / 1_048_576, Double(after - before) / Double(count) / 1024,
                Double(saved.map(\.count).reduce(0, +)) / Double(distinctModels) / 1024,
                restore.inSeconds))
    }

    /// The process's resident set size, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = Int(text.split(separator: " ")[1]) ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
