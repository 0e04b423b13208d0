import Foundation
import Logging
@_spi(RPCWire) import PMProto
import PMRPC
import PMServices
@_spi(RPCWire) import RPCTesting
import ServiceKit
import Testing

@testable import Ingest

/// Values a client controls never reach trapping arithmetic or unbounded work: each request's limits
/// are checked before any work and answered INVALID_ARGUMENT naming the field.
@Suite("Request limits")
struct RequestLimitTests {
    /// The 99-byte frame that killed Ingest (arithmetic overflow in the bucket width), as the fuzzer
    /// found it: QueryReadings{equipment_id: 1, from_ms: 1, to_ms: 2^63 - 2, buckets: 2000}, token `fuzz-token`.
    static let crashFrame = hexBytes(
        "0000005f080210011a222f706d2e76312e496e67657374536572766963652f517565727952656164696e67732222"
            + "0a0d617574686f72697a6174696f6e12114265617265722066757a7a2d746f6b656e3a110801100118feffffff"
            + "ffffffff7f28d00f")

    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    @Test("the frame that crashed Ingest, replayed byte for byte, is INVALID_ARGUMENT and Ingest keeps serving")
    func overflowCrashReplayed() async throws {
        let folder = try TemporaryFolder()
        var logger = Logger(label: "limits-test")
        logger.logLevel = .warning
        let configuration = try RPCServiceConfiguration(
            name: "ingest", defaultPort: 0, environment: Environment(["PM_RPC_TOKEN": "fuzz-token"]))
        let application = try IngestBuilder.buildApplication(
            configuration: configuration, ingest: .forTesting(directory: folder.path, demoFleet: true), logger: logger)
        try await RunningApplication.with(application) { running in
            let client = IngestServiceClient(running.client)
            _ = try await client.recordReadings(RecordReadingsRequest(readings: [IngestTest.reading(1, at: IngestTest.nowMs - 1000)]))
            let connection = try await RawConnection(port: running.port)
            try await connection.send(Self.crashFrame)
            let status = try #require(try await connection.readFrame())
            #expect(status.callID == 2)
            #expect(status.statusCode == RPCError.Code.invalidArgument.rawValue)
            #expect(status.statusMessage.hasPrefix("to_ms: must be in 0..."))
            await connection.close()
            #expect(try await HealthClient(running.client).check().status == .serving)
            // The same request with three buckets (the fuzzer's other crash) and the largest valid range work.
            await expectRPCError(.invalidArgument) {
                _ = try await client.queryReadings(QueryReadingsRequest(equipmentID: 1, fromMs: 1, toMs: .max - 1, buckets: 3))
            }
            let widest = try await client.queryReadings(
                QueryReadingsRequest(equipmentID: 1, fromMs: 0, toMs: RequestLimits.maxTimestampMs, buckets: 2000))
            #expect(widest.buckets.map(\.count).reduce(0, +) == 1)
        }
    }

    @Test(
        "a time range outside year 0...9999 names the field",
        arguments: [(Int64(-1), Int64(0), "from_ms"), (0, .max, "to_ms"), (.min, 5, "from_ms")])
    func timeRange(from: Int64, to: Int64, field: String) async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let error = await expectRPCError(.invalidArgument) {
                _ = try await client.queryReadings(QueryReadingsRequest(equipmentID: 1, fromMs: from, toMs: to))
            }
            #expect(error?.metadata["field"] == field)
        }
    }

    @Test("StreamReadings listing 249,999 machines is INVALID_ARGUMENT naming equipment_ids, not an SQLite error")
    func streamWithTooManyMachines() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let error = await expectRPCError(.invalidArgument) {
                try await client.streamReadings(StreamReadingsRequest(equipmentIDs: Array(1...249_999))) { stream in
                    for try await _ in stream {}
                }
            }
            #expect(error?.metadata["field"] == "equipment_ids")
        }
    }

    @Test("ListEquipment's limit and StreamReadings' after_sequence are checked, not capped or converted blindly")
    func otherLimits() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let limit = await expectRPCError(.invalidArgument) { _ = try await client.listEquipment(ListEquipmentRequest(limit: 1001)) }
            #expect(limit?.metadata["field"] == "limit")
            let after = await expectRPCError(.invalidArgument) {
                try await client.streamReadings(StreamReadingsRequest(afterSequence: .max)) { stream in
                    for try await _ in stream {}
                }
            }
            #expect(after?.metadata["field"] == "after_sequence")
        }
    }

    @Test("LatestReadings is sized before any work: repeated ids count once, too many readings are refused")
    func latestSizedFirst() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            let start = ContinuousClock.now
            let repeated = try await client.latestReadings(
                LatestReadingsRequest(equipmentIDs: Array(repeating: 1, count: 5000), perEquipment: 1000))
            #expect(repeated.readings.isEmpty)
            #expect(ContinuousClock.now - start < .seconds(120), "5,000 copies of one machine are one machine")
            let tooMany = await expectRPCError(.invalidArgument) {
                _ = try await client.latestReadings(LatestReadingsRequest(equipmentIDs: Array(1...20), perEquipment: 1000))
            }
            #expect(tooMany?.metadata["field"] == "per_equipment")
            let tooManyMachines = await expectRPCError(.invalidArgument) {
                _ = try await client.latestReadings(LatestReadingsRequest(equipmentIDs: Array(1...1001)))
            }
            #expect(tooManyMachines?.metadata["field"] == "equipment_ids")
        }
    }
}
