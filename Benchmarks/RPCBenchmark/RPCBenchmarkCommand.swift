import ArgumentParser
import NIOPosix
@_spi(RPCWire) import PMProto

/// Prints the RPC layer's throughput and latency beside a raw TCP ping-pong measured in the same run,
/// and the codec's cost per reading. Figures, not assertions: these machines are shared.
@main
struct RPCBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc-bench")

    @Option(help: "Seconds measured per configuration.")
    var seconds: Double = 3

    @Option(help: "Calls in flight for the concurrent configurations.")
    var concurrency: Int = 64

    @Option(help: "Where callers run: pool, loop or both.")
    var callers: String = "both"

    @Option(help: "Which parts to run: any of small, batch, codec, raw (comma-separated).")
    var parts: String = "raw,small,batch,codec"

    func run() async throws {
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let duration = Duration.milliseconds(Int(seconds * 1000))
        let small = RecordReadingsRequest(readings: [Self.reading(0)])
        let batch = RecordReadingsRequest(readings: (0..<1000).map(Self.reading))
        let columnar = RecordReadingsRequest(columns: ReadingColumns(batch.readings))

        print("rpc-bench: one server loop and one client loop on 127.0.0.1, \(seconds) s per line")
        let selected = Set(parts.split(separator: ",").map(String.init))
        let requests = [
            ("small", "1 reading", small), ("batch", "1,000 readings as Reading messages", batch),
            ("batch", "1,000 readings as ReadingColumns", columnar),
        ].filter { selected.contains($0.0) }
        for (_, name, request) in requests {
            let size = Self.callFrameSize(request)
            print("\n== unary call, \(name) (CALL frame \(size) bytes)")
            for inFlight in Set([1, concurrency]).sorted() {
                var raw = Double.nan
                if selected.contains("raw") {
                    // As the prototype in docs/rpc-design.md measured it: `inFlight` connections, one message outstanding on each.
                    raw = try await RawPingPong.measure(
                        messageSize: size, inFlight: 1, connections: inFlight, duration: duration, server: serverGroup, client: clientGroup
                    )
                    print(String(format: "raw TCP ping-pong, %3d connections x 1 in flight: %9.0f round trips/s", inFlight, raw))
                    if inFlight > 1 {
                        let pipelined = try await RawPingPong.measure(
                            messageSize: size, inFlight: inFlight, duration: duration, server: serverGroup, client: clientGroup
                        )
                        print(
                            String(
                                format: "raw TCP echo, 1 connection x %3d pipelined:     %9.0f round trips/s (no per-message work at all)",
                                inFlight, pipelined))
                    }
                }
                for onLoop in [false, true] where callers == "both" || callers == (onLoop ? "loop" : "pool") {
                    let rpc = try await RPCLoad.measure(
                        request: request, inFlight: inFlight, duration: duration, callersOnClientLoop: onLoop,
                        server: serverGroup, client: clientGroup
                    )
                    let callers = onLoop ? "callers on client loop" : "callers on global pool"
                    print(
                        String(
                            format: "RPC, 1 connection, %@, %3d in flight: %9.0f calls/s = %5.1f%% of raw, p50 %@, p99 %@%@",
                            callers, inFlight, rpc.callsPerSecond, 100 * rpc.callsPerSecond / raw,
                            Self.format(rpc.p50), Self.format(rpc.p99),
                            Self.rows(request) > 1
                                ? String(format: ", %.0f readings/s", rpc.callsPerSecond * Double(Self.rows(request))) : ""
                        ))
                }
            }
        }

        if selected.contains("codec") {
            for (name, request) in [("Reading messages", batch), ("ReadingColumns", columnar)] {
                let codec = try CodecBenchmark.measure(batch: request, iterations: 2000)
                print("\n== codec, 1,000 readings as \(name) (\(codec.encodedBytes) bytes)")
                print(
                    String(
                        format:
                            "encode %.1f ns/reading; decode %.1f ns/reading = %.1f µs per batch, to [Reading] (protobuf-c unpack alone: %.1f µs)",
                        codec.encodeNanosecondsPerReading, codec.decodeNanosecondsPerReading, codec.decodeMicrosecondsPerBatch,
                        codec.unpackOnlyMicrosecondsPerBatch))
            }
        }
        try await serverGroup.shutdownGracefully()
        try await clientGroup.shutdownGracefully()
    }

    static func rows(_ request: RecordReadingsRequest) -> Int {
        request.readings.count + (request.columns?.equipmentID.count ?? 0)
    }

    static func reading(_ index: Int) -> Reading {
        Reading(
            equipmentID: Int64(index % 6 + 1), timestampMs: 1_763_800_000_000 + Int64(index) * 1000,
            temperature: 71.3 + Double(index % 10) * 0.1, vibration: 2.31, pressure: 101.2,
            powerConsumption: 15.7, efficiency: 92.4
        )
    }

    /// What our client puts on the wire for one call, so the raw ping-pong moves the same bytes.
    static func callFrameSize(_ request: RecordReadingsRequest) -> Int {
        let frame = Frame(
            callID: 100_000, type: .call, method: RPCLoad.echo.path,
            metadata: [MetadataEntry(key: "authorization", value: "Bearer bench")],
            timeoutUs: 30_000_000, payload: request.serializedBytes()
        )
        return frame.serializedBytes().count + 4
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.0f µs", duration.seconds * 1e6)
    }
}
