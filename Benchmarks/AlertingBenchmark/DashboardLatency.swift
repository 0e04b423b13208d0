import Detection
import Ingest
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import Scheduling
import ServiceKit

/// DashboardStats latency with Ingest (a day of readings for six machines), Alerting, Scheduling and
/// Detection running in this process, beside the same figures asked of each service one after another.
enum DashboardLatency {
    static func measure(alerting: RunningApplication, folder: String, samples: Int, logger: Logger) async throws {
        let ingest = IngestConfiguration.forTesting(directory: "\(folder)/ingest", demoFleet: true)
        try await RunningApplication.with(service: "ingest") { configuration in
            try IngestBuilder.buildApplication(configuration: configuration, ingest: ingest, logger: logger)
        } _: { ingestRunning in
            let readings = try await loadOneDay(IngestServiceClient(ingestRunning.client))
            try await RunningApplication.with(service: "detection") { configuration in
                try DetectionBuilder.buildApplication(configuration: configuration, environment: Environment([:]), logger: logger)
            } _: { detectionRunning in
                let scheduling = try SchedulingConfiguration(
                    dataDirectory: "\(folder)/scheduling",
                    environment: Environment([
                        "INGEST_RPC_PORT": "\(ingestRunning.port)", "ALERTING_RPC_PORT": "\(alerting.port)",
                        "DETECTION_RPC_PORT": "\(detectionRunning.port)", "PM_RPC_TOKEN": RunningApplication.testToken,
                    ]))
                try await RunningApplication.with(service: "scheduling") { configuration in
                    try SchedulingBuilder.buildApplication(configuration: configuration, scheduling: scheduling, logger: logger)
                } _: { schedulingRunning in
                    let client = SchedulingServiceClient(schedulingRunning.client)
                    let ingestClient = IngestServiceClient(ingestRunning.client)
                    let alertingClient = AlertingServiceClient(alerting.client)
                    let gathered = try await percentiles(samples) { _ = try await client.dashboardStats() }
                    let oneByOne = try await percentiles(samples) {
                        _ = try await ingestClient.equipmentStats()
                        _ = try await ingestClient.readingStats(ReadingStatsRequest(sinceMs: WallClock.nowMs() - 86_400_000))
                        _ = try await alertingClient.alertStats()
                        _ = try await client.scheduleStats()
                    }
                    print(
                        String(
                            format:
                                "DashboardStats (%d readings in 24 h, %d calls): p50 %.2f ms, p99 %.2f ms; the same figures one service after another: p50 %.2f ms (%.2fx)",
                            readings, samples, gathered.p50, gathered.p99, oneByOne.p50, oneByOne.p50 / gathered.p50))
                }
            }
        }
    }

    /// Six machines, one reading each every 10 s over the last 24 hours.
    static func loadOneDay(_ ingest: IngestServiceClient) async throws -> Int {
        let now = WallClock.nowMs()
        let timestamps = stride(from: now - 86_000_000, to: now, by: 10_000).map { $0 }
        for machine in Int64(1)...6 {
            for chunk in stride(from: 0, to: timestamps.count, by: 5000) {
                let slice = Array(timestamps[chunk..<min(chunk + 5000, timestamps.count)])
                let count = slice.count
                _ = try await ingest.recordReadings(
                    RecordReadingsRequest(
                        columns: ReadingColumns(
                            equipmentID: Array(repeating: machine, count: count), timestampMs: slice,
                            temperature: Array(repeating: 70, count: count), vibration: Array(repeating: 2, count: count),
                            pressure: Array(repeating: 100, count: count), powerConsumption: Array(repeating: 40, count: count),
                            efficiency: Array(repeating: 90, count: count))))
            }
        }
        return timestamps.count * 6
    }

    /// p50 and p99 in milliseconds of `samples` sequential runs of `call`.
    static func percentiles(_ samples: Int, _ call: () async throws -> Void) async throws -> (p50: Double, p99: Double) {
        var times: [Double] = []
        for _ in 0..<samples {
            let start = ContinuousClock.now
            try await call()
            times.append((ContinuousClock.now - start).inSeconds * 1000)
        }
        times.sort()
        return (times[times.count / 2], times[times.count * 99 / 100])
    }
}
