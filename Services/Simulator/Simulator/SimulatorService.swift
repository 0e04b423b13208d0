import Foundation
import Logging
import PMProto
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle

/// Feeds Ingest with the fleet's simulated readings over the RPC: optionally a backfill of recent
/// history first, then live readings until shutdown (or `duration`).
public struct SimulatorService: Service {
    public struct Options: Sendable {
        public var settings: FleetSimulator.Settings
        public var backfill: Duration
        public var duration: Duration?
        public var batchSize: Int
        public var truthFile: String

        public init(
            settings: FleetSimulator.Settings, backfill: Duration = .zero, duration: Duration? = nil, batchSize: Int = 1000,
            truthFile: String
        ) {
            self.settings = settings
            self.backfill = backfill
            self.duration = duration
            self.batchSize = batchSize
            self.truthFile = truthFile
        }
    }

    let client: IngestServiceClient
    let options: Options
    let logger: Logger

    public init(client: IngestServiceClient, options: Options, logger: Logger) {
        self.client = client
        self.options = options
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await simulate()
        } catch is CancellationError {
            logger.info("simulator stopped")
        }
    }

    private func simulate() async throws {
        try await cancelWhenGracefulShutdown {
            let equipment = try await waitForFleet()
            let truth = try GroundTruthWriter(path: options.truthFile)
            let startMs = WallClock.nowMs() - Int64(options.backfill.components.seconds) * 1000
            var fleet = FleetSimulator(equipment: equipment, settings: options.settings, startMs: startMs)
            var totals = Totals()
            logger.info(
                "simulating",
                metadata: [
                    "simulator.machines": "\(equipment.count)", "simulator.rate": "\(options.settings.rate)",
                    "simulator.seed": "\(options.settings.seed)", "simulator.truth_file": "\(options.truthFile)",
                ])
            let end = options.duration.map { ContinuousClock.now + $0 }
            var lastReport = ContinuousClock.now
            while end.map({ ContinuousClock.now < $0 }) ?? true {
                let (readings, faults) = fleet.advance(toMs: WallClock.nowMs())
                for fault in faults {
                    try truth.record(fault)
                    logger.info(
                        "fault injected",
                        metadata: [
                            "simulator.equipment_id": "\(fault.equipmentID)", "simulator.fault": "\(fault.kind.rawValue)",
                        ])
                }
                try await send(readings, totals: &totals)
                if ContinuousClock.now - lastReport > .seconds(10) {
                    logger.info(
                        "progress", metadata: ["simulator.accepted": "\(totals.accepted)", "simulator.rejected": "\(totals.rejected)"])
                    lastReport = ContinuousClock.now
                }
                try await Task.sleep(
                    for: .milliseconds(max(Int(1000 / options.settings.rate), 1)).clamped(
                        to: .milliseconds(10)...Duration.milliseconds(1000)))
            }
            logger.info(
                "simulation finished", metadata: ["simulator.accepted": "\(totals.accepted)", "simulator.rejected": "\(totals.rejected)"])
        }
    }

    struct Totals {
        var accepted = 0
        var rejected = 0
    }

    /// Sends in batches; a batch refused as a whole (Ingest restarting, saturated) is retried until it goes through.
    private func send(_ readings: [Reading], totals: inout Totals) async throws {
        var start = 0
        while start < readings.count {
            let batch = Array(readings[start..<min(start + options.batchSize, readings.count)])
            do {
                let response = try await client.recordReadings(RecordReadingsRequest(columns: ReadingColumns(batch)))
                totals.accepted += Int(response.accepted + response.duplicates)
                totals.rejected += Int(response.rejected)
                if let firstRejection = response.results.first(where: { $0.outcome == .rejected }) {
                    logger.warning(
                        "readings rejected",
                        metadata: ["simulator.field": "\(firstRejection.field)", "simulator.reason": "\(firstRejection.reason)"])
                }
                start += batch.count
            } catch let error as RPCError where [.unavailable, .resourceExhausted, .deadlineExceeded].contains(error.code) {
                logger.warning("ingest unavailable; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// The registered machines; waits for Ingest to come up.
    private func waitForFleet() async throws -> [(id: Int64, type: String)] {
        while true {
            do {
                let equipment = try await client.listEquipment(ListEquipmentRequest(limit: 1000)).equipment
                return equipment.map { ($0.id, $0.type) }
            } catch let error as RPCError where error.code == .unavailable {
                logger.info("waiting for ingest", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}

extension Duration {
    func clamped(to range: ClosedRange<Duration>) -> Duration {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
