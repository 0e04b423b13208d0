import PMProto
import PMRPC
import RPCTesting
import Testing

@Suite("Deadlines and cancellation")
struct DeadlineAndCancellationTests {
    @Test("a call past its deadline is DEADLINE_EXCEEDED and its handler is cancelled")
    func deadlineExceeded() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let start = ContinuousClock.now
            await expectRPCError(.deadlineExceeded) {
                _ = try await server.client.unary(TestMethods.sleep, Reading(timestampMs: 10_000), options: CallOptions(timeout: .milliseconds(200)))
            }
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(try await eventually { observations.sleepCancelled.value })
        }
    }

    @Test("the server enforces the deadline it is sent, even if the client does not")
    func serverSideDeadline() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let connection = try await RawConnection(port: server.port)
            let request = Reading(timestampMs: 10_000).serializedBytes()
            try await connection.send(RawConnection.framed(Frame(callID: 7, type: .call, method: TestMethods.sleep.path, timeoutUs: 100_000, payload: request)))
            let status = try await connection.readFrame()
            #expect(status?.callID == 7)
            #expect(status?.statusCode == RPCError.Code.deadlineExceeded.rawValue)
            #expect(try await eventually { observations.sleepCancelled.value })
            await connection.close()
        }
    }

    @Test("cancelling the caller's task cancels the server's handler")
    func clientCancellation() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let call = Task {
                try await server.client.unary(TestMethods.sleep, Reading(timestampMs: 10_000))
            }
            #expect(try await eventually { observations.sleepStarted.value == 1 })
            call.cancel()
            await expectRPCError(.cancelled) { _ = try await call.value }
            #expect(try await eventually { observations.sleepCancelled.value })
        }
    }
}
