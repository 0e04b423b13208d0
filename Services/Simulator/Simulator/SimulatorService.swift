import Foundation
import Logging
import PMProto
import PMRPC
import PMServices
import ServiceKit
import ServiceLifecycle

/// Simulates the fleet Ingest has registered (read over the RPC) and delivers its readings to a
/// ``ReadingSink``: optionally a backfill of recent history first, then live readings until shutdown
/// (or `duration`).
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
    let sink: any ReadingSink
    let options: Options
    let logger: Logger

    /// `client` lists the fleet; readings go to `sink`, by default to Ingest over that same client.
    public init(client: IngestServiceClient, sink: (any ReadingSink)? = nil, options: Options, logger: Logger) {
        self.client = client
        self.sink = sink ?? RPCReadingSink(client: client, logger: logger)
        self.options = options
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await simulate()
        } catch is CancellationError {
            logger.info("simulator stopped")
        } catch let refused as DeliveryRefused {
            logger.error("giving up: \(refused)")
            throw refused
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

    /// Delivers in batches of `batchSize`, or fewer when the sink takes fewer.
    private func send(_ readings: [Reading], totals: inout Totals) async throws {
        let size = min(options.batchSize, sink.maxBatchSize)
        for start in stride(from: 0, to: readings.count, by: size) {
            let delivery = try await sink.deliver(Array(readings[start..<min(start + size, readings.count)]))
            totals.accepted += delivery.stored
            totals.rejected += delivery.rejected
            if let rejection = delivery.firstRejection {
                logger.warning(
                    "readings rejected", metadata: ["simulator.field": "\(rejection.field)", "simulator.reason": "\(rejection.reason)"])
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
