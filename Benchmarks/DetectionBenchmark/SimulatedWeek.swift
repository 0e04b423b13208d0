import Detectors
import Foundation
import PMProto
import Simulator

/// The detectors on a simulated week of the demo fleet with injected faults, the simulator's ground
/// truth in hand: false alerts per machine-week on healthy stretches (events outside any fault, folded
/// per machine and kind within an hour as Alerting folds them), the share of faults alarmed before they
/// end, and the median time from a fault's start to its first alert event.
enum SimulatedWeek {
    static let fleet: [(id: Int64, type: String)] = [
        (1, "hydraulic_press"), (2, "cnc_mill"), (3, "air_compressor"), (4, "conveyor_motor"), (5, "industrial_pump"), (6, "hvac_chiller"),
    ]
    /// Alarms this soon after a fault ended still belong to it (persistence, the machine settling).
    static let graceMs: Int64 = 15 * 60_000

    /// With `trace`, prints that machine's readings and verdicts every `everyMs` of simulated time: what
    /// to look at when a fault is missed (the score against the threshold, what the model expected).
    static func run(
        detector name: String, days: Int, rate: Double, faultsPerDay: Double, faultTimeScale: Double, seed: UInt64, startHour: Int64 = 0,
        trace: (machine: Int64, everyMs: Int64)? = nil
    ) {
        let kind = DetectorKind(rawValue: name)!
        // 2026-01-01 at `startHour`, a fixed week: the same readings every run.
        let start: Int64 = 1_767_225_600_000 + startHour * 3_600_000
        var simulator = FleetSimulator(
            equipment: fleet, settings: .init(rate: rate, faultsPerDay: faultsPerDay, faultTimeScale: faultTimeScale, seed: seed),
            startMs: start)
        var detectors = Dictionary(uniqueKeysWithValues: fleet.map { ($0.id, kind.make(featureCount: 5)) })
        var faults: [Fault] = []
        var events: [(machine: Int64, timestampMs: Int64, kind: Int)] = []
        let end = start + Int64(days) * 86_400_000
        var now = start
        if let trace {
            print(
                "trace seed \(seed) machine \(trace.machine): hour,temperature,vibration,pressure,power,efficiency,score,threshold,alarm,"
                    + "expected_temperature,expected_vibration,expected_pressure,expected_power,expected_efficiency,fault")
        }
        while now < end {
            now = min(now + 3_600_000, end)
            let (readings, started) = simulator.advance(toMs: now)
            faults += started
            for reading in readings {
                let verdict = detectors[reading.equipmentID]!.observe([
                    reading.temperature, reading.vibration, reading.pressure, reading.powerConsumption, reading.efficiency,
                ])
                if let trace, reading.equipmentID == trace.machine, (reading.timestampMs - start) % trace.everyMs == 0 {
                    let fault =
                        faults.first {
                            $0.equipmentID == trace.machine && $0.startMs <= reading.timestampMs && reading.timestampMs < $0.endMs
                        }?
                        .kind.rawValue ?? ""
                    let values = [
                        Double(reading.timestampMs - start) / 3_600_000, reading.temperature, reading.vibration, reading.pressure,
                        reading.powerConsumption, reading.efficiency, verdict.score, verdict.threshold, verdict.isAlarm ? 1 : 0,
                    ].map { String(format: "%.3f", $0) }
                    // No expected values before the model is ready: empty columns.
                    let expected =
                        verdict.expected.isEmpty ? Array(repeating: "", count: 5) : verdict.expected.map { String(format: "%.3f", $0) }
                    print((values + expected + [fault]).joined(separator: ","))
                }
                if verdict.raisesEvent {
                    events.append((reading.equipmentID, reading.timestampMs, verdict.contributions.first?.feature ?? -1))
                }
            }
        }
        report(name, faults: faults, events: events, days: days, start: start, seed: seed)
    }

    static func report(
        _ name: String, faults: [Fault], events: [(machine: Int64, timestampMs: Int64, kind: Int)], days: Int, start: Int64, seed: UInt64
    ) {
        func during(_ event: (machine: Int64, timestampMs: Int64, kind: Int)) -> Fault? {
            faults.first { $0.equipmentID == event.machine && $0.startMs <= event.timestampMs && event.timestampMs <= $0.endMs + graceMs }
        }
        // False alerts: events outside faults, folded as Alerting folds them (same machine and kind
        // within its auto-resolve hour make one alert).
        var lastFalse: [String: Int64] = [:]
        var falseAlerts = 0
        for event in events where during(event) == nil {
            let key = "\(event.machine)/\(event.kind)"
            if let last = lastFalse[key], event.timestampMs - last < 3_600_000 {
            } else {
                falseAlerts += 1
            }
            lastFalse[key] = event.timestampMs
        }
        // Faults are judged once they have ended within the week.
        let judged = faults.filter { $0.endMs < start + Int64(days) * 86_400_000 }
        var delays: [Double] = []
        for fault in judged {
            if let first = events.first(where: {
                $0.machine == fault.equipmentID && fault.startMs <= $0.timestampMs && $0.timestampMs <= fault.endMs
            }) {
                delays.append(Double(first.timestampMs - fault.startMs) / 60_000)
            }
        }
        for fault in judged
        where !events.contains(where: {
            $0.machine == fault.equipmentID && fault.startMs <= $0.timestampMs && $0.timestampMs <= fault.endMs
        }) {
            print(
                String(
                    format: "  missed: %@ on machine %d from hour %.1f of the week, lasting %.1f h", fault.kind.rawValue, fault.equipmentID,
                    Double(fault.startMs - start) / 3_600_000, Double(fault.endMs - fault.startMs) / 3_600_000))
        }
        let machineWeeks = Double(fleet.count) * Double(days) / 7
        let byKind = Dictionary(grouping: judged, by: \.kind).mapValues { group in
            "\(group.filter { fault in events.contains { $0.machine == fault.equipmentID && fault.startMs <= $0.timestampMs && $0.timestampMs <= fault.endMs } }.count)/\(group.count)"
        }
        print(
            String(
                format:
                    "Simulated %d days (seed %d), %@ detector: %.2f false alerts per machine-week; %d of %d faults detected before they ended (%.0f%%), median time to detection %.1f min; by kind %@",
                days, seed, name, Double(falseAlerts) / machineWeeks, delays.count, judged.count,
                100 * Double(delays.count) / Double(max(judged.count, 1)),
                delays.isEmpty ? 0 : delays.sorted()[delays.count / 2],
                byKind.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")))
    }
}
