@_spi(RPCWire) import PMProto
import PMRPC
@_spi(RPCWire) import RPCTesting
import Testing

@Suite("Deadlines and cancellation")
struct DeadlineAndCancellationTests {
    @Test("a call past its deadline is DEADLINE_EXCEEDED and its handler is cancelled")
    func deadlineExceeded() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            // The handler would sleep for a minute: only the deadline can end this call with an error.
            await expectRPCError(.deadlineExceeded) {
                _ = try await server.client.unary(
                    TestMethods.sleep, Reading(timestampMs: 60_000), options: CallOptions(timeout: .milliseconds(200)))
            }
            #expect(try await eventually { observations.sleepCancelled.value })
        }
    }

    @Test("the server enforces the deadline it is sent, even if the client does not")
    func serverSideDeadline() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let connection = try await RawConnection(port: server.port)
            let request = Reading(timestampMs: 60_000).serializedBytes()
            try await connection.send(
                RawConnection.framed(Frame(callID: 7, type: .call, method: TestMethods.sleep.path, timeoutUs: 100_000, payload: request)))
            let status = try await connection.readFrame()
            #expect(status?.callID == 7)
            #expect(status?.statusCode == RPCError.Code.deadlineExceeded.rawValue)
            #expect(try await eventually { observations.sleepCancelled.value })
            await connection.close()
        }
    }

    @Test("a negative timeout is INVALID_ARGUMENT, not 'no deadline'")
    func negativeTimeout() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let connection = try await RawConnection(port: server.port)
            let request = Reading(timestampMs: 60_000).serializedBytes()
            try await connection.send(
                RawConnection.framed(Frame(callID: 3, type: .call, method: TestMethods.sleep.path, timeoutUs: -1, payload: request)))
            let status = try await connection.readFrame()
            #expect(status?.callID == 3)
            #expect(status?.statusCode == RPCError.Code.invalidArgument.rawValue)
            #expect(observations.sleepStarted.value == 0, "the handler never ran")
            await connection.close()
        }
    }

    @Test("an id reused after its call's deadline belongs to the new call: the old handler's late answer is dropped")
    func idReusedAfterDeadline() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let connection = try await RawConnection(port: server.port)
            // Call 1 waits for the test's release; its deadline ends it first.
            try await connection.send(
                RawConnection.framed(
                    Frame(
                        callID: 1, type: .call, method: TestMethods.hold.path, timeoutUs: 200_000,
                        payload: Reading(equipmentID: 1).serializedBytes())))
            let expired = try await connection.readFrame()
            #expect(expired?.callID == 1)
            #expect(expired?.statusCode == RPCError.Code.deadlineExceeded.rawValue)
            // The id is free again: a new call 1 gets its own answer.
            let echoed = try await connection.unaryCall(
                method: TestMethods.echo.path, token: "", payload: Reading(equipmentID: 2).serializedBytes())
            #expect(try Reading(serializedBytes: echoed?.payload ?? []).equipmentID == 2)
            // Reuse the id once more for a held call, then let the first handler finish: its answer must not end the new call.
            try await connection.send(
                RawConnection.framed(
                    Frame(callID: 1, type: .call, method: TestMethods.hold.path, payload: Reading(equipmentID: 3).serializedBytes())))
            #expect(try await eventually { observations.held.value == 2 })
            observations.released.value = true
            let answer = try await connection.readFrame()
            #expect(answer?.callID == 1)
            #expect(
                try Reading(serializedBytes: answer?.payload ?? []).equipmentID == 3, "the answer is the new call's, not the expired one's")
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

    @Test("deadlines of different lengths on one connection each expire in their own order")
    func mixedDeadlines() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let client = server.client
            // A long deadline arms the connection's timer first; a shorter one must still fire first.
            let long = Task {
                try await client.unary(TestMethods.sleep, Reading(timestampMs: 1_200_000), options: CallOptions(timeout: .seconds(600)))
            }
            #expect(try await eventually { observations.sleepStarted.value == 1 })
            let start = ContinuousClock.now
            await expectRPCError(.deadlineExceeded) {
                _ = try await client.unary(
                    TestMethods.sleep, Reading(timestampMs: 120_000), options: CallOptions(timeout: .milliseconds(200)))
            }
            // It expired in its own turn, not with the first call's (ten minutes away): the margin is five
            // minutes, for a busy machine (a bound of 30 s was once missed by another test on two busy cores).
            #expect(ContinuousClock.now - start < .seconds(300), "took \(ContinuousClock.now - start)")
            #expect(try await eventually { observations.sleepCancelled.value })
            long.cancel()
            await expectRPCError(.cancelled) { _ = try await long.value }
            // A call that armed the timer finishes early (it has a minute for a 10 ms sleep, even on a busy
            // machine); a later deadline on the same connection must still fire when due, not be forgotten
            // when the first call's timer is.
            let quick = Task {
                try await client.unary(
                    TestMethods.sleep, Reading(equipmentID: 1, timestampMs: 10), options: CallOptions(timeout: .seconds(60)))
            }
            let slow = Task {
                try await client.unary(TestMethods.sleep, Reading(timestampMs: 600_000), options: CallOptions(timeout: .seconds(61)))
            }
            #expect(try await quick.value.equipmentID == 1)
            await expectRPCError(.deadlineExceeded) { _ = try await slow.value }
        }
    }
}
