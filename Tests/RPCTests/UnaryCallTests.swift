@_spi(RPCWire) import PMProto
import PMRPC
@_spi(RPCWire) import RPCTesting
import Testing

@Suite("Unary calls over loopback TCP")
struct UnaryCallTests {
    @Test("a response comes back with every field")
    func echo() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let reading = Reading(equipmentID: 3, timestampMs: 17, temperature: .infinity, readingID: "abc")
            #expect(try await server.client.unary(TestMethods.echo, reading) == reading)
        }
    }

    @Test("a 1,000-reading batch round trips")
    func largeBatch() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let batch = RecordReadingsRequest(readings: (0..<1000).map { Reading(equipmentID: Int64($0), temperature: Double($0)) })
            #expect(try await server.client.unary(TestMethods.batch, batch) == batch)
        }
    }

    @Test("handler errors become their status: RPCError as is, convertible errors mapped, others UNKNOWN")
    func handlerErrors() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let precondition = await expectRPCError(.failedPrecondition) {
                _ = try await server.client.unary(TestMethods.fail, Reading(equipmentID: 1))
            }
            #expect(precondition?.message == "not now")
            #expect(precondition?.metadata["retry-after"] == "5")
            let notFound = await expectRPCError(.notFound) {
                _ = try await server.client.unary(TestMethods.fail, Reading(equipmentID: 2))
            }
            #expect(notFound?.message == "machine 42 is not registered")
            let unknown = await expectRPCError(.unknown) {
                _ = try await server.client.unary(TestMethods.fail, Reading(equipmentID: 3))
            }
            #expect(unknown?.message.contains("Unexpected") == false, "internal details must not leak")
            // The connection is still good after errors.
            #expect(try await server.client.unary(TestMethods.echo, Reading(equipmentID: 9)).equipmentID == 9)
        }
    }

    @Test("an unexpected handler error is logged once, with the real error, and the caller learns nothing of it")
    func unexpectedErrorLoggedOnce() async throws {
        let recorder = LogRecorder()
        try await RPCTestServer.with(
            router: testRouter(), interceptors: [LoggingServerInterceptor(), MetricsServerInterceptor()],
            logger: recorder.logger(level: .debug)
        ) { server async throws in
            let unknown = await expectRPCError(.unknown) {
                _ = try await server.client.unary(TestMethods.fail, Reading(equipmentID: 3))
            }
            #expect(unknown?.message.contains("fire") == false)
            #expect(unknown?.cause == nil, "the cause stays on the server")
            // A caller's mistake is no error of the service's.
            await expectRPCError(.failedPrecondition) { _ = try await server.client.unary(TestMethods.fail, Reading(equipmentID: 1)) }
        }
        let errors = recorder.recorded.filter { $0.level >= .error }
        #expect(errors.count == 1, "\(errors.map(\.message))")
        #expect(errors.first?.metadata["error"]?.description.contains("the disk is on fire") == true)
        #expect(errors.first?.metadata["rpc.method"]?.description == TestMethods.fail.path)
    }

    @Test("a client interceptor that returns without making the call is an INTERNAL error, not a crash")
    func interceptorWithoutCall() async throws {
        struct ShortCircuit: ClientInterceptor {
            func intercept(context: ClientContext, next: @Sendable (ClientContext) async throws -> Void) async throws {}
        }
        try await RPCTestServer.with(router: testRouter(), clientInterceptors: [ShortCircuit()]) { server async throws in
            await expectRPCError(.internal) { _ = try await server.client.unary(TestMethods.echo, Reading()) }
            await expectRPCError(.internal) {
                try await server.client.serverStream(TestMethods.count, Reading(sequence: 3)) { stream in
                    for try await _ in stream {}
                }
            }
        }
    }

    @Test("an unknown method is UNIMPLEMENTED")
    func unknownMethod() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let missing = MethodDescriptor<Reading, Reading>(service: "test.Echo", method: "Missing", kind: .unary)
            let error = await expectRPCError(.unimplemented) { _ = try await server.client.unary(missing, Reading()) }
            #expect(error?.message.contains("/test.Echo/Missing") == true)
        }
    }

    @Test("an undecodable request is INVALID_ARGUMENT and the connection stays open")
    func undecodableRequest() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            let connection = try await RawConnection(port: server.port)
            try await connection.send(
                RawConnection.framed(Frame(callID: 1, type: .call, method: TestMethods.echo.path, payload: [0xFF, 0xFF])))
            let status = try await connection.readFrame()
            #expect(status?.type == .status)
            #expect(status?.statusCode == RPCError.Code.invalidArgument.rawValue)
            #expect(status?.statusMessage.contains("Reading") == true)
            let good = Reading(equipmentID: 5)
            try await connection.send(
                RawConnection.framed(Frame(callID: 2, type: .call, method: TestMethods.echo.path, payload: good.serializedBytes())))
            let reply = try await connection.readFrame()
            #expect(reply?.statusCode == 0)
            #expect(try Reading(serializedBytes: reply?.payload ?? []) == good)
            await connection.close()
        }
    }

    @Test("1,000 concurrent calls on one connection each get their own response")
    func concurrentCalls() async throws {
        try await RPCTestServer.with(router: testRouter()) { server async throws in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let request = Reading(equipmentID: Int64(index), readingID: "call-\(index)")
                        return try await server.client.unary(TestMethods.echo, request) == request
                    }
                }
                var matched = 0
                for try await ok in group where ok { matched += 1 }
                #expect(matched == 1000)
            }
        }
    }

    @Test("a request over the frame limit fails locally with RESOURCE_EXHAUSTED")
    func requestTooLarge() async throws {
        try await RPCTestServer.with(router: testRouter(), configuration: .init(maxFrameSize: 64 << 10)) { server async throws in
            let client = RPCClient(configuration: .init(host: "127.0.0.1", port: server.port, maxFrameSize: 64 << 10))
            let batch = RecordReadingsRequest(readings: (0..<5000).map { Reading(equipmentID: Int64($0), readingID: "reading-\($0)") })
            await expectRPCError(.resourceExhausted) { _ = try await client.unary(TestMethods.batch, batch) }
            #expect(try await client.unary(TestMethods.echo, Reading(equipmentID: 1)).equipmentID == 1)
            await client.close()
        }
    }

    @Test("past the running limit unary calls wait for a slot instead of failing, in order, and all finish")
    func runningLimitQueues() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations), configuration: .init(maxRunningUnaryCallsPerConnection: 2)) {
            server async throws in
            let client = server.client
            let calls = (0..<5).map { index in
                Task { try await client.unary(TestMethods.hold, Reading(equipmentID: Int64(index))) }
            }
            // Two handlers run; the other three wait on the server, unrefused, until they are released.
            #expect(try await eventually { observations.held.value == 2 })
            observations.released.value = true
            for (index, call) in calls.enumerated() {
                #expect(try await call.value.equipmentID == Int64(index))
            }
            #expect(observations.held.value == 5)
            #expect(observations.mostHeldAtOnce.value == 2)
        }
    }

    @Test("a call whose deadline passes while it waits for a slot never runs, and frees its place")
    func waitingCallExpires() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations), configuration: .init(maxRunningUnaryCallsPerConnection: 1)) {
            server async throws in
            // Raw frames, so the server's deadline is the only one (a client's own timer could race it).
            let connection = try await RawConnection(port: server.port)
            let hold = { (id: UInt64, timeoutUs: Int64) in
                RawConnection.framed(
                    Frame(
                        callID: id, type: .call, method: TestMethods.hold.path, timeoutUs: timeoutUs,
                        payload: Reading(equipmentID: Int64(id)).serializedBytes()))
            }
            try await connection.send(hold(1, 0))
            #expect(try await eventually { observations.held.value == 1 })
            try await connection.send(hold(2, 300_000))
            let expired = try await connection.readFrame()
            #expect(expired?.callID == 2)
            #expect(expired?.statusCode == RPCError.Code.deadlineExceeded.rawValue)
            observations.released.value = true
            let first = try await connection.readFrame()
            #expect(first?.callID == 1)
            #expect(first?.statusCode == 0)
            let echoed = try await connection.unaryCall(
                method: TestMethods.echo.path, token: "", payload: Reading(equipmentID: 3).serializedBytes(), callID: 3)
            #expect(echoed?.statusCode == 0)
            #expect(observations.held.value == 1, "the expired call never reached its handler")
            await connection.close()
        }
    }

    @Test("calls beyond the per-connection limit are RESOURCE_EXHAUSTED while the others proceed")
    func concurrencyLimit() async throws {
        let observations = Observations()
        try await RPCTestServer.with(router: testRouter(observations), configuration: .init(maxConcurrentCallsPerConnection: 2)) {
            server async throws in
            let client = server.client
            // The two admitted calls are held until the three others have been refused, however slowly they arrive.
            let outcomes = try await withThrowingTaskGroup(of: RPCError.Code.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        do {
                            _ = try await client.unary(TestMethods.hold, Reading(equipmentID: Int64(index)))
                            return .ok
                        } catch let error as RPCError {
                            return error.code
                        }
                    }
                }
                var codes = [RPCError.Code]()
                for try await code in group {
                    codes.append(code)
                    if codes.count == 3 { observations.released.value = true }
                }
                return codes
            }
            #expect(observations.held.value == 2)
            #expect(outcomes.filter { $0 == .ok }.count == 2)
            #expect(outcomes.filter { $0 == .resourceExhausted }.count == 3)
        }
    }
}
