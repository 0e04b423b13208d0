import Foundation
import Logging
import PMProto
import PMRPC
import RPCTesting
import Testing

@testable import Simulator

@Suite("Simulator")
struct SimulatorTests {
    static let fleet: [(id: Int64, type: String)] = [(1, "hydraulic_press"), (2, "industrial_pump"), (3, "unknown_type")]

    @Test("the same seed gives the same readings and faults; another seed does not")
    func deterministic() {
        let settings = FleetSimulator.Settings(rate: 1, faultsPerDay: 50, faultTimeScale: 10, seed: 7)
        var first = FleetSimulator(equipment: Self.fleet, settings: settings, startMs: 1_700_000_000_000)
        var second = FleetSimulator(equipment: Self.fleet, settings: settings, startMs: 1_700_000_000_000)
        var other = FleetSimulator(
            equipment: Self.fleet, settings: .init(rate: 1, faultsPerDay: 50, faultTimeScale: 10, seed: 8), startMs: 1_700_000_000_000)
        let a = first.advance(toMs: 1_700_003_600_000)
        let b = second.advance(toMs: 1_700_003_600_000)
        let c = other.advance(toMs: 1_700_003_600_000)
        #expect(a.readings.count == 3 * 3601)
        #expect(a.readings == b.readings)
        #expect(a.faults == b.faults)
        #expect(a.readings != c.readings)
    }

    @Test("each fault pushes its sensors the way the real failure does", arguments: Fault.Kind.allCases)
    func faultEffects(kind: Fault.Kind) {
        let fault = Fault(equipmentID: 1, kind: kind, startMs: 0, endMs: 1000)
        var values = SensorValues(temperature: 50, vibration: 2, pressure: 300, power: 10, efficiency: 90)
        fault.apply(progress: fault.progress(atMs: 1000), to: &values)
        switch kind {
        case .bearingWear:
            #expect(values.vibration >= 6 && values.temperature > 60)
        case .sealLeak:
            #expect(values.pressure < 250 && values.power > 11)
        case .fouling:
            #expect(values.efficiency < 80 && values.temperature > 50)
        case .suddenFailure:
            #expect(values.vibration >= 6 && values.power >= 15)
        }
        var halfway = SensorValues(temperature: 50, vibration: 2, pressure: 300, power: 10, efficiency: 90)
        fault.apply(progress: fault.progress(atMs: 500), to: &halfway)
        #expect(fault.progress(atMs: 500) == 0.5)
    }

    @Test("a backfilled simulation is accepted by a real Ingest, and its faults are written to the ground-truth file")
    func feedsIngest() async throws {
        let folder = try TemporaryFolder()
        let truthFile = "\(folder.path)/faults.csv"
        try await IngestTest.with(folder: folder) { client async throws in
            var logger = Logger(label: "simulator-test")
            logger.logLevel = .warning
            let options = SimulatorService.Options(
                settings: .init(rate: 0.1, faultsPerDay: 20, faultTimeScale: 1, seed: 3),
                backfill: .seconds(12 * 3600), duration: .milliseconds(200), batchSize: 500, truthFile: truthFile
            )
            try await SimulatorService(client: client, options: options, logger: logger).run()
            let stats = try await client.readingStats(ReadingStatsRequest())
            // 12 hours at one reading per 10 s for 6 machines.
            #expect(stats.totalReadings >= 6 * 4320)
            let lines = try String(contentsOfFile: truthFile, encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "equipment_id,kind,start_ms,end_ms,start,end")
            #expect(lines.count > 1, "20 faults per machine-day over 3 machine-days should inject some")
        }
    }
}
