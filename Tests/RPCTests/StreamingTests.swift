import PMProto
import PMRPC
import RPCTesting
import Testing

@Suite("Server streams")
struct StreamingTests {
    @Test("every message arrives in order, then the stream ends")
    func inOrder() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let sequences = try await server.client.serverStream(TestMethods.count, Reading(sequence: 500)) { stream async throws in
                var sequences = [UInt64]()
                for try await message in stream { sequences.append(message.readings[0].sequence) }
                return sequences
            }
            #expect(sequences == Array(0..<500))
        }
    }

    @Test("a slow consumer holds the server back to its window instead of letting it buffer")
    func flowControl() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let window: UInt32 = 8
            let maxAhead = try await server.client.serverStream(
                TestMethods.count, Reading(sequence: 200), options: CallOptions(streamWindow: window)
            ) { stream async throws in
                var consumed = 0
                var maxAhead = 0
                for try await _ in stream {
                    consumed += 1
                    if consumed % 20 == 0 { try await Task.sleep(for: .milliseconds(30)) }
                    maxAhead = max(maxAhead, observations.streamWritten.value - consumed)
                }
                return maxAhead
            }
            #expect(maxAhead <= Int(window), "the server ran \(maxAhead) messages ahead of a window of \(window)")
            #expect(observations.streamWritten.value == 200)
        }
    }

    @Test("leaving the stream early cancels the server's handler")
    func earlyExit() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let first = try await server.client.serverStream(TestMethods.count, Reading(sequence: .max)) { stream async throws in
                for try await message in stream { return message.readings[0].sequence }
                return UInt64.max
            }
            #expect(first == 0)
            #expect(try await eventually { observations.streamEnded.value == "cancelled" })
        }
    }

    @Test("graceful shutdown ends open streams with UNAVAILABLE")
    func shutdownEndsStreams() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let client = server.client
            let consumer = Task {
                try await client.serverStream(TestMethods.count, Reading(sequence: .max)) { stream async throws in
                    for try await _ in stream { try await Task.sleep(for: .milliseconds(5)) }
                }
            }
            #expect(try await eventually { observations.streamWritten.value > 3 })
            server.triggerGracefulShutdown()
            await expectRPCError(.unavailable) { try await consumer.value }
            #expect(try await eventually { observations.streamEnded.value == "cancelled" })
        }
    }

    @Test("stream messages over the socket's high-water mark reach a client that keeps up, on several streams at once")
    func largeMessages() async throws {
        // Each message (~130 KB) crosses the 64 KiB write-buffer mark, so writability flips inside a write.
        var router = RPCRouter()
        let big = MethodDescriptor<Reading, StreamReadingsResponse>(service: "test.Echo", method: "Big", kind: .serverStreaming)
        router.register(big) { request, writer, _ in
            for index in 0..<request.sequence {
                let id = String(repeating: "x", count: 120) + "-\(index)"
                try await writer.write(
                    StreamReadingsResponse(readings: (0..<1000).map { Reading(sequence: index, readingID: "\(id)-\($0)") }))
            }
        }
        try await RPCTestServer.with(router: router) { server async throws in
            let client = server.client
            let counts = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await client.serverStream(big, Reading(sequence: 30)) { stream in
                            var last: UInt64 = 0
                            var received: UInt64 = 0
                            for try await message in stream {
                                #expect(message.readings.count == 1000)
                                last = message.readings[0].sequence
                                received += 1
                            }
                            #expect(last == 29)
                            return received
                        }
                    }
                }
                var counts = [UInt64]()
                for try await count in group { counts.append(count) }
                return counts
            }
            #expect(counts == [30, 30, 30, 30])
        }
    }

    @Test("a stream message over the frame limit fails the handler's write instead of breaking the connection")
    func oversizedStreamMessage() async throws {
        var router = RPCRouter()
        let huge = MethodDescriptor<Reading, StreamReadingsResponse>(service: "test.Echo", method: "Huge", kind: .serverStreaming)
        router.register(huge) { _, writer, _ in
            try await writer.write(StreamReadingsResponse(readings: (0..<4000).map { Reading(readingID: "reading-\($0)") }))
        }
        try await RPCTestServer.with(router: router, configuration: .init(maxFrameSize: 16 << 10)) { server async throws in
            await expectRPCError(.resourceExhausted) {
                try await server.client.serverStream(huge, Reading()) { stream in
                    for try await _ in stream {}
                }
            }
        }
    }
}
