import Detectors
import Foundation
import PMMath
import ServiceKit

/// Resident memory per machine model: RSS before and after building `models` machines' detectors (each
/// past warm-up, so each holds a model), divided by their number; and how long a replica's start takes
/// to restore them all from their saved bytes (what it does with its SQLite rows).
enum ModelMemory {
    static func run(detector name: String, models count: Int) {
        let kind = DetectorKind(rawValue: name)!
        var random = SeededRandom(seed: 7)
        let warmUp = kind == .seed ? SeedDetector.window : BaselineDetector.Parameters().warmUp + 50
        let before = residentBytes()
        var detectors: [any Detector] = []
        detectors.reserveCapacity(count)
        for _ in 0..<count {
            var detector = kind.make(featureCount: 5)
            for _ in 0..<warmUp { _ = detector.observe((0..<5).map { _ in random.gaussian() }) }
            detectors.append(detector)
        }
        let after = residentBytes()
        let ready = detectors.filter(\.summary.isReady).count
        let saved = detectors.map(\.encoded)
        let start = ContinuousClock.now
        for bytes in saved { _ = try? kind.decode(bytes, featureCount: 5) }
        let restore = ContinuousClock.now - start
        print(
            String(
                format:
                    "Memory, %@ detector: %d machines' models (%d ready) add %.1f MiB resident: %.1f KiB per model; %.1f KiB saved per model, all restored in %.2f s",
                name, count, ready, Double(after - before) / 1_048_576, Double(after - before) / Double(count) / 1024,
                Double(saved.map(\.count).reduce(0, +)) / Double(count) / 1024,
                restore.inSeconds))
    }

    /// The process's resident set size, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = Int(text.split(separator: " ")[1]) ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
