import Logging
import NIOCore
@_spi(RPCWire) import PMProto
import PMRPC
@_spi(RPCWire) import RPCTesting
import ServiceLifecycleTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Connections: absent peers, reconnection, bad frames")
struct ConnectionTests {
    @Test("no server: UNAVAILABLE at once, then fail-fast during back-off")
    func serverAbsent() async throws {
        // Twenty minutes of back-off: a client that waited it out instead of failing fast could not pass
        // the ten-minute bound, which leaves a busy machine plenty (on two busy cores the two calls
        // once took 30.7 s together, past the bound of 30 s this test had).
        let closed = try ClosedPort()
        let client = RPCClient(
            configuration: .init(host: "127.0.0.1", port: closed.port, backoff: Backoff(initial: .seconds(1200), maximum: .seconds(1200))))
        let start = ContinuousClock.now
        let first = await expectRPCError(.unavailable) { _ = try await client.unary(TestMethods.echo, Reading()) }
        #expect(first?.message.contains("cannot connect") == true, "\(first?.message ?? "")")
        let afterFirst = ContinuousClock.now
        let second = await expectRPCError(.unavailable) { _ = try await client.unary(TestMethods.echo, Reading()) }
        #expect(second?.message.contains("next attempt") == true, "\(second?.message ?? "")")
        #expect(ContinuousClock.now - start < .seconds(600), "first call \(afterFirst - start), second \(ContinuousClock.now - afterFirst)")
        await client.close()
        withExtendedLifetime(closed) {}
    }

    @Test("the client reconnects once the server is up, after its back-off")
    func reconnects() async throws {
        // Another test may take the released port before our server binds it: then try another one.
        for attempt in 1...5 {
            let port = try await unusedPort()
            let client = RPCClient(
                configuration: .init(host: "127.0.0.1", port: port, backoff: Backoff(initial: .milliseconds(50), jitter: 0)))
            await expectRPCError(.unavailable) { _ = try await client.unary(TestMethods.echo, Reading()) }
            do {
                try await RPCTestServer.with(router: testRouter(), configuration: .init(port: port)) { _ async throws in
                    #expect(try await eventually { (try? await client.unary(TestMethods.echo, Reading(equipmentID: 4)))?.equipmentID == 4 })
                }
            } catch let error as IOError where error.errnoCode == EADDRINUSE && attempt < 5 {
                await client.close()
                continue
            }
            // The server is gone again: calls fail instead of hanging.
            await expectRPCError(.unavailable) { _ = try await client.unary(TestMethods.echo, Reading()) }
            await client.close()
            return
        }
    }

    @Test("a server that dies mid-call fails the call with UNAVAILABLE")
    func connectionLostMidCall() async throws {
        let observations = Observations()
        try await testGracefulShutdown { _ in
            let server = RPCServer(configuration: .init(), router: testRouter(observations), logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                let port = try await server.listeningAddress.port!
                let client = RPCClient(configuration: .init(host: "127.0.0.1", port: port))
                let call = Task { try await client.unary(TestMethods.sleep, Reading(timestampMs: 10_000)) }
                #expect(try await eventually { observations.sleepStarted.value == 1 })
                group.cancelAll()  // a cancelled server closes every connection at once
                let error = await expectRPCError(.unavailable) { _ = try await call.value }
                #expect(error?.message.contains("lost") == true)
                try? await group.waitForAll()
                await client.close()
            }
        }
    }

    @Test(
        "bad framing closes only the offending connection",
        arguments: [
            ("oversized length", [0x7F, 0xFF, 0xFF, 0xFF] as [UInt8]),
            ("garbage frame", [0x00, 0x00, 0x00, 0x04, 0xFF, 0xFF, 0xFF, 0xFF]),
            ("no call id", RawConnection.framed(Frame(type: .call, method: "/test.Echo/Echo"))),
            ("server-only frame type", RawConnection.framed(Frame(callID: 1, type: .status))),
            ("unknown frame type", RawConnection.framed(Frame(callID: 1, type: FrameType(rawValue: 99)))),
        ]
    )
    func badFraming(name: String, bytes: [UInt8]) async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            // A healthy call in flight on another connection must not notice.
            let slow = Task { try await server.client.unary(TestMethods.sleep, Reading(equipmentID: 1, timestampMs: 300)) }
            #expect(try await eventually { observations.sleepStarted.value == 1 })
            let connection = try await RawConnection(port: server.port)
            try await connection.send(bytes)
            #expect(try await connection.closedByServer(), "\(name) should close the connection")
            #expect(try await slow.value.equipmentID == 1)
            #expect(try await server.client.unary(TestMethods.echo, Reading(equipmentID: 2)).equipmentID == 2)
        }
    }

    @Test("a frame that stays incomplete past the frame timeout closes its connection, and only it")
    func stalledFrame() async throws {
        try await RPCTestServer.with(router: testRouter(), configuration: .init(frameTimeout: .seconds(1))) { server async throws in
            let connection = try await RawConnection(port: server.port)
            try await connection.send([0x00, 0x00, 0x00])
            #expect(try await connection.closedByServer())
            #expect(try await server.client.unary(TestMethods.echo, Reading(equipmentID: 5)).equipmentID == 5)
        }
    }

    @Test("a connection with no call for the idle timeout is closed; one with a call in flight is not")
    func idleConnections() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations), configuration: .init(idleTimeout: .seconds(1))) {
            server async throws in
            let idle = try await RawConnection(port: server.port)
            #expect(try await idle.closedByServer())
            // A loaded machine can take longer than the 1 s timeout between accepting a connection and
            // its first call, and then the server rightly closes it as idle: such an attempt is made
            // again on a new connection. What is asserted is what happens once the call runs.
            var clients = [RPCClient]()
            var busy: Task<Reading, any Error>?
            for _ in 1...5 where busy == nil {
                let client = server.makeClient(interceptors: [])
                clients.append(client)
                let failed = Box(false)
                let call = Task {
                    do { return try await client.unary(TestMethods.hold, Reading(equipmentID: 6)) } catch {
                        failed.value = true
                        throw error
                    }
                }
                _ = try await eventually { observations.holding.value == 1 || failed.value }
                if observations.holding.value == 1 { busy = call }
            }
            let call = try #require(busy, "no attempt reached its handler")
            // The only way to show a close does not happen is to wait past it: three idle timeouts.
            try await Task.sleep(for: .seconds(3))
            #expect(observations.holding.value == 1, "the call is still in flight")
            observations.released.value = true
            #expect(try await call.value.equipmentID == 6)
            for client in clients { await client.close() }
        }
    }

    @Test("past the connection limit new connections are closed at once; freed places are taken again")
    func connectionLimit() async throws {
        try await RPCTestServer.with(router: testRouter(), configuration: .init(maxConnections: 2)) { server async throws in
            #expect(try await server.client.unary(TestMethods.echo, Reading(equipmentID: 1)).equipmentID == 1)
            let second = server.makeClient(interceptors: [])
            #expect(try await second.unary(TestMethods.echo, Reading(equipmentID: 2)).equipmentID == 2)
            let third = try await RawConnection(port: server.port)
            #expect(try await third.closedByServer())
            await second.close()
            let fourth = server.makeClient(interceptors: [])
            #expect(try await eventually { (try? await fourth.unary(TestMethods.echo, Reading(equipmentID: 4)))?.equipmentID == 4 })
            await fourth.close()
        }
    }

    @Test("a second CALL with the id of an open call closes the connection; CANCEL and CREDIT for unknown ids are ignored")
    func callIDs() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations)) { server async throws in
            let connection = try await RawConnection(port: server.port)
            // Frames for ids with no open call change nothing: the connection goes on serving.
            try await connection.send(RawConnection.framed(Frame(callID: 41, type: .cancel)))
            try await connection.send(RawConnection.framed(Frame(callID: 42, type: .credit, credit: .max)))
            let echoed = try await connection.unaryCall(
                method: TestMethods.echo.path, token: "", payload: Reading(equipmentID: 7).serializedBytes())
            #expect(echoed?.statusCode == 0)
            // Reusing the id of a call still open is a protocol violation.
            let hold = RawConnection.framed(
                Frame(callID: 5, type: .call, method: TestMethods.hold.path, payload: Reading().serializedBytes()))
            try await connection.send(hold)
            #expect(try await eventually { observations.held.value == 1 })
            try await connection.send(hold)
            #expect(try await connection.closedByServer())
            observations.released.value = true
        }
    }

    @Test("a connection closed mid-frame does not disturb the server")
    func closedMidFrame() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let connection = try await RawConnection(port: server.port)
            let frame = RawConnection.framed(
                Frame(callID: 1, type: .call, method: TestMethods.echo.path, payload: Reading().serializedBytes()))
            try await connection.send(Array(frame.prefix(frame.count - 3)))
            await connection.close()
            #expect(try await server.client.unary(TestMethods.echo, Reading(equipmentID: 8)).equipmentID == 8)
        }
    }

    @Test("a frame trickling in one byte per write is served")
    func trickledFrame() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let connection = try await RawConnection(port: server.port)
            let request = Reading(equipmentID: 6)
            for byte in RawConnection.framed(
                Frame(callID: 3, type: .call, method: TestMethods.echo.path, payload: request.serializedBytes()))
            {
                try await connection.send([byte])
            }
            let reply = try await connection.readFrame()
            #expect(try Reading(serializedBytes: reply?.payload ?? []) == request)
            await connection.close()
        }
    }
}
