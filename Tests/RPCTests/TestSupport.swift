import NIOCore
import NIOPosix
import PMProto
import PMRPC
import RPCTesting
import Synchronization
import Testing

/// Methods that exist only in these tests, typed with contract messages.
enum TestMethods {
    static let echo = MethodDescriptor<Reading, Reading>(service: "test.Echo", method: "Echo", kind: .unary)
    static let sleep = MethodDescriptor<Reading, Reading>(service: "test.Echo", method: "Sleep", kind: .unary)
    /// Answers once the test sets `Observations.released`, or after half a minute (so a broken test fails instead of hanging).
    static let hold = MethodDescriptor<Reading, Reading>(service: "test.Echo", method: "Hold", kind: .unary)
    static let fail = MethodDescriptor<Reading, Reading>(service: "test.Echo", method: "Fail", kind: .unary)
    static let batch = MethodDescriptor<RecordReadingsRequest, RecordReadingsRequest>(service: "test.Echo", method: "Batch", kind: .unary)
    static let count = MethodDescriptor<Reading, StreamReadingsResponse>(service: "test.Echo", method: "Count", kind: .serverStreaming)
}

/// A value several tasks read and write.
final class Box<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    func update<R>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}

/// What the test handlers observed.
struct Observations: Sendable {
    let sleepStarted = Box(0)
    let sleepCancelled = Box(false)
    let held = Box(0)
    let holding = Box(0)
    let mostHeldAtOnce = Box(0)
    let released = Box(false)
    let streamWritten = Box(0)
    let streamEnded = Box<String?>(nil)
}

struct DomainError: RPCErrorConvertible {
    var rpcError: RPCError { RPCError(code: .notFound, message: "machine 42 is not registered") }
}

struct Unexpected: Error {
    let detail = "the disk is on fire"
}

func testRouter(_ observations: Observations = Observations()) -> RPCRouter {
    var router = RPCRouter()
    router.register(TestMethods.echo) { request, _ in request }
    router.register(TestMethods.batch) { request, _ in request }
    router.register(TestMethods.sleep) { request, _ in
        observations.sleepStarted.update { $0 += 1 }
        do {
            try await Task.sleep(for: .milliseconds(Int(request.timestampMs)))
        } catch {
            observations.sleepCancelled.value = true
            throw error
        }
        return request
    }
    router.register(TestMethods.hold) { request, _ in
        observations.held.update { $0 += 1 }
        let now = observations.holding.update {
            $0 += 1
            return $0
        }
        observations.mostHeldAtOnce.update { $0 = max($0, now) }
        defer { observations.holding.update { $0 -= 1 } }
        _ = try await eventually { observations.released.value }
        return request
    }
    router.register(TestMethods.fail) { request, _ in
        switch request.equipmentID {
        case 1: throw RPCError(code: .failedPrecondition, message: "not now", metadata: ["retry-after": "5"])
        case 2: throw DomainError()
        default: throw Unexpected()
        }
    }
    router.register(TestMethods.count) { request, writer, _ in
        do {
            for index in 0..<request.sequence {
                try await writer.write(StreamReadingsResponse(readings: [Reading(sequence: index)]))
                observations.streamWritten.update { $0 += 1 }
            }
            observations.streamEnded.value = "finished"
        } catch {
            observations.streamEnded.value = "cancelled"
            throw error
        }
    }
    return router
}
