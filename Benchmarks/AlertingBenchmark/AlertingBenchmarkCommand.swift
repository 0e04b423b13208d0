import Alerting
import ArgumentParser
import Foundation
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Synchronization

/// Prints RaiseAlert calls/s for new and for deduplicated events with 1 and 16 callers, beside the RPC
/// floor (Health.Check on the same server, same run), the latency from RaiseAlert returning to its
/// event arriving on a WatchAlerts stream, and Scheduling's DashboardStats latency (``DashboardLatency``).
@main
struct AlertingBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alerting-bench")

    @Option(help: "Seconds measured per configuration.")
    var seconds: Double = 3

    @Option(help: "Alerts raised one by one for the latency measurement.")
    var latencySamples: Int = 1000

    @Option(help: "DashboardStats calls for its latency measurement.")
    var dashboardSamples: Int = 500

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("alerting-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let logger = {
            var logger = Logger(label: "alerting-bench")
            logger.logLevel = .warning
            return logger
        }()
        let alerting = AlertingConfiguration.forTesting(directory: "\(folder)/alerting")
        print("alerting-bench: SQLite WAL, synchronous=FULL, files in \(folder)")
        try await RunningApplication.with(service: "alerting") { configuration in
            try AlertingBuilder.buildApplication(configuration: configuration, alerting: alerting, logger: logger)
        } _: { running in
            let client = AlertingServiceClient(running.client)
            let health = HealthClient(running.client)
            let events = Counter()
            for callers in [1, 16] {
                let floor = try await Self.rate(callers: callers, seconds: seconds) { _ in _ = try await health.check() }
                let new = try await Self.rate(callers: callers, seconds: seconds) { _ in
                    // A machine of its own per call: every call opens an alert.
                    let n = events.next()
                    _ = try await client.raiseAlert(Self.event("new-\(n)", machine: 1_000_000 + n))
                }
                let dedup = try await Self.rate(callers: callers, seconds: seconds) { caller in
                    let n = events.next()
                    _ = try await client.raiseAlert(Self.event("dup-\(n)", machine: Int64(caller + 1)))
                }
                print(
                    String(
                        format:
                            "%2d callers: Health.Check %7.0f calls/s; RaiseAlert new %6.0f calls/s (%4.1f%%), deduplicated %6.0f calls/s (%4.1f%%)",
                        callers, floor, new, 100 * new / floor, dedup, 100 * dedup / floor))
            }
            try await Self.latency(client, samples: latencySamples, first: events.next())
            try await DashboardLatency.measure(alerting: running, folder: folder, samples: dashboardSamples, logger: logger)
        }
    }

    static func event(_ id: String, machine: Int64) -> RaiseAlertRequest {
        RaiseAlertRequest(
            eventID: id, equipmentID: machine, severity: .warning, title: "Vibration above normal", source: "bench",
            kind: "anomaly:vibration",
            confidence: 80, sensors: ["vibration"])
    }

    /// Calls per second of `call` with `callers` concurrent callers on one connection.
    static func rate(callers: Int, seconds: Double, _ call: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        let calls = try await withThrowingTaskGroup(of: Int.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var calls = 0
                    while ContinuousClock.now < end {
                        try await call(caller)
                        calls += 1
                    }
                    return calls
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(calls) / (ContinuousClock.now - start).inSeconds
    }

    /// Raises new alerts one at a time while a watcher reads the stream; prints p50/p99 of the time from
    /// RaiseAlert returning to the event's arrival (0 when the event arrived first).
    static func latency(_ client: AlertingServiceClient, samples: Int, first: Int64) async throws {
        let returned = Instants()
        let arrived = Instants()
        // Starts the stream after the newest alert's last event; what follows it is filtered by id.
        let newest = try await client.listAlerts(ListAlertsRequest(limit: 1)).alerts.first
        let fromSequence = try await client.getAlert(GetAlertRequest(alertID: newest?.id ?? 1)).history.last?.sequence ?? 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await client.watchAlerts(WatchAlertsRequest(afterSequence: fromSequence)) { stream in
                    for try await event in stream where event.kind == .raised && event.alert?.eventID.hasPrefix("latency-") == true {
                        let id = event.alert?.eventID ?? ""
                        let count = arrived.record(id)
                        if count == samples { return }
                    }
                }
            }
            for index in 0..<samples {
                let id = "latency-\(index)"
                _ = try await client.raiseAlert(event(id, machine: 2_000_000_000 + first + Int64(index)))
                _ = returned.record(id)
            }
            try await group.waitForAll()
        }
        let arrivals = arrived.all
        let delays = returned.all.map { id, at in max(0, (arrivals[id]! - at).inSeconds) * 1000 }.sorted()
        print(
            String(
                format: "RaiseAlert returned -> WatchAlerts event arrived (%d alerts): p50 %.2f ms, p99 %.2f ms", samples,
                delays[delays.count / 2], delays[delays.count * 99 / 100]))
    }
}

/// When each event id was seen, shared between the raiser and the watcher.
final class Instants: Sendable {
    private let seen = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Notes `id` as seen now; returns how many ids have been seen.
    func record(_ id: String) -> Int {
        seen.withLock {
            $0[id] = .now
            return $0.count
        }
    }

    var all: [String: ContinuousClock.Instant] { seen.withLock { $0 } }
}

/// A counter shared by concurrent callers.
final class Counter: Sendable {
    private let storage = Atomic<Int64>(0)

    func next() -> Int64 { storage.add(1, ordering: .relaxed).newValue }
}
