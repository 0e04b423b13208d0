import ArgumentParser
import Detectors
import Foundation

/// Prints, in one run: Isolation Forest fit and single-reading score beside scikit-learn's on the same
/// kind of data (../shared/bench/iforest_sklearn.py, as ratios); readings scored per second by one
/// replica end to end from Ingest's stream; resident memory per machine model with many models loaded;
/// false alerts and detected faults on a simulated week (``SimulatedWeek``).
@main
struct DetectionBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detection-bench")

    @Option(help: "Which parts to run: any of forest, throughput, memory, simulated (comma-separated).")
    var parts: String = "forest,throughput,memory,simulated"

    @Option(help: "Readings streamed through one replica for the throughput part.")
    var readings: Int = 300_000

    @Option(help: "Machines those readings come from.")
    var machines: Int = 100

    @Option(help: "Machines whose models are held in memory for the memory part.")
    var models: Int = 10_000

    @Option(help: "Simulated days for the simulated part (6 demo machines).")
    var days: Int = 7

    @Option(help: "Readings per second per simulated machine.")
    var rate: Double = 0.1

    @Option(help: "Faults started per machine per day in the simulation.")
    var faultsPerDay: Double = 1

    @Option(help: "How much faster simulated faults unfold than in life (the simulator's --fault-time-scale).")
    var faultTimeScale: Double = 6

    @Option(help: "Detectors to compare in the throughput, memory and simulated parts (comma-separated).")
    var detectors: String = "default,seed"

    @Option(help: "Simulation seeds (comma-separated): each is a different week of readings and faults.")
    var simulationSeeds: String = "42,7,2026"

    @Option(
        help: "Hour of the day (UTC, 0-23) the simulated week starts at: machines connected at another point of their daily load cycle.")
    var startHour: Int64 = 0

    @Option(help: "For the simulated part: print one machine's readings, score, threshold and expected values along the week (1-6).")
    var traceMachine: Int64?

    @Option(help: "Simulated seconds between two traced readings.")
    var traceEverySeconds: Int64 = 1800

    func validate() throws {
        for name in detectors.split(separator: ",") where DetectorKind(rawValue: String(name)) == nil {
            throw ValidationError(
                "--detectors: unknown detector '\(name)'; one of \(DetectorKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let traceMachine, !SimulatedWeek.fleet.contains(where: { $0.id == traceMachine }) {
            throw ValidationError("--trace-machine must be one of the simulated machines, 1 to \(SimulatedWeek.fleet.count)")
        }
        guard traceEverySeconds >= 1 else { throw ValidationError("--trace-every-seconds must be at least 1") }
        guard (0..<24).contains(startHour) else { throw ValidationError("--start-hour must be 0 to 23") }
    }

    func run() async throws {
        let selected = Set(parts.split(separator: ",").map(String.init))
        if selected.contains("forest") { try await ForestTiming.run() }
        if selected.contains("throughput") {
            for detector in detectors.split(separator: ",").map(String.init) {
                try await ScoringThroughput.run(detector: detector, readings: readings, machines: machines)
            }
        }
        if selected.contains("simulated") {
            for seed in simulationSeeds.split(separator: ",").compactMap({ UInt64($0) }) {
                for detector in detectors.split(separator: ",").map(String.init) {
                    SimulatedWeek.run(
                        detector: detector, days: days, rate: rate, faultsPerDay: faultsPerDay, faultTimeScale: faultTimeScale, seed: seed,
                        startHour: startHour, trace: traceMachine.map { (machine: $0, everyMs: traceEverySeconds * 1000) })
                }
            }
        }
        if selected.contains("memory") {
            for detector in detectors.split(separator: ",").map(String.init) { ModelMemory.run(detector: detector, models: models) }
        }
    }
}
