import PMProto
import PMRPC
import RPCTesting
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("calls in flight when shutdown starts still get their responses; the server then stops")
    func inFlightCallsFinish() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let client = server.client
            let calls = (0..<20).map { index in
                Task { try await client.unary(TestMethods.sleep, Reading(equipmentID: Int64(index), timestampMs: 300)) }
            }
            // Shutdown starts once every call has reached its handler.
            #expect(try await eventually { observations.sleepStarted.value == 20 })
            server.triggerGracefulShutdown()
            for (index, call) in calls.enumerated() {
                #expect(try await call.value.equipmentID == Int64(index))
            }
            // Once drained the server closes the connection and no longer listens.
            #expect(
                try await eventually {
                    do {
                        _ = try await client.unary(TestMethods.echo, Reading())
                        return false
                    } catch let error as RPCError {
                        return error.code == .unavailable
                    }
                })
        }
    }
}
