import Foundation
@_spi(RPCWire) import PMProto
import PMRPC
import PMServices
@_spi(RPCWire) import RPCTesting
import ServiceKit
import Testing

/// A client that sends many calls and never reads the answers must not make the server buffer them
/// all: the server stops reading and stops starting calls while its answers back up.
@Suite("Slow readers")
struct SlowReaderTests {
    static let token = "slow-reader-token"

    /// The process's resident memory in MiB, from /proc.
    static func residentMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes / 1024
    }

    @Test("600 pipelined 600 KB answers that are never read keep Ingest's memory bounded; all are answered once read")
    func unreadAnswersBounded() async throws {
        let ingest = try ServiceProcess(
            executable: "ingest", environment: ["INGEST_RPC_PORT": "0", "PM_RPC_TOKEN": Self.token, "PM_LOG_LEVEL": "warning"])
        try await ingest.start()
        let client = IngestServiceClient(ingest.rpcClient(token: Self.token))
        let start = WallClock.nowMs() - 86_400_000
        for batch in 0..<10 {
            let readings = (0..<1000).map { index in
                Reading(
                    equipmentID: 1, timestampMs: start + Int64(batch * 1000 + index) * 1000,
                    temperature: 70, vibration: 2, pressure: 100, powerConsumption: 15, efficiency: 90)
            }
            #expect(try await client.recordReadings(RecordReadingsRequest(readings: readings)).accepted == 1000)
        }
        let answer = try await client.queryReadings(QueryReadingsRequest(equipmentID: 1, limit: 10_000))
        #expect(answer.serializedBytes().count > 500_000)
        await client.rpcClient.close()

        let pid = ingest.process.processIdentifier
        let baseline = try #require(Self.residentMiB(pid))
        let connection = try await RawConnection(port: ingest.port)
        let request = QueryReadingsRequest(equipmentID: 1, limit: 10_000).serializedBytes()
        let authorization = MetadataEntry(key: "authorization", value: "Bearer \(Self.token)")
        var frames = [UInt8]()
        for id in 1...600 {
            frames += RawConnection.framed(
                Frame(
                    callID: UInt64(id), type: .call, method: IngestService.queryReadings.path, metadata: [authorization], payload: request))
        }
        try await connection.send(frames)

        // Without a bound the server grows by ~434 MiB here. Watch until its memory has not grown for
        // 3 s (it has stopped working for us), failing as soon as it passes the bound.
        let bound = 200.0
        var peak = baseline
        var stableSince = ContinuousClock.now
        let watchUntil = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now - stableSince < .seconds(3), ContinuousClock.now < watchUntil {
            try await Task.sleep(for: .milliseconds(200))
            let now = try #require(Self.residentMiB(pid))
            if now > peak + 1 {
                peak = now
                stableSince = ContinuousClock.now
            }
            if peak - baseline > bound { break }
        }
        print("slow reader: baseline \(Int(baseline)) MiB, peak \(Int(peak)) MiB")
        #expect(peak - baseline < bound, "the server grew by \(Int(peak - baseline)) MiB for answers nobody read")

        // Once the client reads, every call is answered.
        var answered = 0
        while answered < 600, let frame = try await connection.readFrame() {
            if frame.type == .status {
                #expect(frame.statusCode == 0)
                answered += 1
            }
        }
        #expect(answered == 600)
        await connection.close()
        #expect(try await ingest.terminate() == 0)
    }
}
