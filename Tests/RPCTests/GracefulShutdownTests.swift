import Logging
import PMProto
import PMRPC
import RPCTesting
import ServiceKit
import ServiceLifecycle
import ServiceLifecycleTestKit
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

@Suite("Shutdown grace")
struct ShutdownGraceTests {
    /// A background job that ignores graceful shutdown and stops only when cancelled.
    struct Stubborn: Service {
        let cancelled: Box<Bool>
        func run() async throws {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            cancelled.value = true
        }
    }

    @Test("a part that ignores graceful shutdown is cancelled once the grace ends, named in the logs, and the service stops")
    func stubbornPartIsCancelled() async throws {
        let cancelled = Box(false)
        let stopped = Box(false)
        let logs = LogRecorder()
        let configuration = try RPCServiceConfiguration(
            name: "stubborn", defaultPort: 0,
            environment: Environment(["PM_RPC_TOKEN": RunningApplication.testToken, "PM_SHUTDOWN_GRACE_SECONDS": "10"]))
        let application = RPCServiceApplication(
            configuration: configuration, services: [],
            backgroundServices: [
                Stubborn(cancelled: cancelled), PeriodicJob(name: "tick", interval: .seconds(1), logger: logs.logger()) {},
            ],
            logger: logs.logger())
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await application.run(handlingSignals: false)
                    stopped.value = true
                }
                _ = try await application.listeningAddress
                trigger.triggerGracefulShutdown()
                // Without the grace the application would wait for the job for ever. The grace covers the
                // whole shutdown: the parts asked before the stubborn one (the server, the periodic job,
                // which may finish its tick first) must stop within it, even on a busy machine.
                let didStop = try await eventually(timeout: .seconds(120)) { stopped.value }
                #expect(didStop, "the application still runs 120 s after shutdown began, with a 10 s grace")
                #expect(cancelled.value)
                let parts = { (message: String) in
                    logs.recorded.filter { $0.message == message }.map { $0.metadata["service.part"].map { "\($0)" } ?? "" }
                }
                // Stopped in reverse order; the last one asked is the one that hung.
                #expect(parts("stopping").suffix(2) == ["periodic job tick", "Stubborn"], "stopping: \(parts("stopping"))")
                #expect(parts("cancelled: still running when the shutdown grace ended") == ["Stubborn"])
                group.cancelAll()
            }
        }
    }
}
