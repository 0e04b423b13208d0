import Logging
import NIOCore
import NIOPosix
import PMProto
import PMRPC
import ServiceLifecycleTestKit

/// Unary calls through our whole stack: typed client, interceptors (token, logging, metrics) on both
/// sides as the services install them, framing, protobuf-c, typed handler.
enum RPCLoad {
    static let echo = MethodDescriptor<RecordReadingsRequest, RecordReadingsRequest>(
        service: "bench.Echo", method: "Echo", kind: .unary
    )

    struct Result {
        var callsPerSecond: Double
        var p50: Duration
        var p99: Duration
    }

    static func measure(
        request: RecordReadingsRequest,
        inFlight: Int,
        duration: Duration,
        callersOnClientLoop: Bool,
        server serverGroup: any EventLoopGroup,
        client clientGroup: any EventLoopGroup
    ) async throws -> Result {
        var router = RPCRouter()
        router.register(echo) { request, _ in request }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        return try await testGracefulShutdown { trigger in
            let server = RPCServer(
                configuration: .init(),
                router: router,
                interceptors: [LoggingServerInterceptor(), MetricsServerInterceptor(), BearerTokenServerInterceptor(token: "bench")],
                eventLoopGroup: serverGroup,
                logger: logger
            )
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                let port = try await server.listeningAddress.port!
                let client = RPCClient(
                    configuration: .init(host: "127.0.0.1", port: port),
                    interceptors: [BearerTokenClientInterceptor(token: "bench")],
                    eventLoopGroup: clientGroup
                )
                _ = try await client.unary(echo, request)
                let executor = callersOnClientLoop ? EventLoopTaskExecutor(eventLoop: clientGroup.next()) : nil
                let result = try await run(client: client, request: request, inFlight: inFlight, duration: duration, executor: executor)
                await client.close()
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            }
        }
    }

    private static func run(
        client: RPCClient, request: RecordReadingsRequest, inFlight: Int, duration: Duration, executor: EventLoopTaskExecutor?
    ) async throws -> Result {
        // Warm-up, then the measured window; every caller records its own latencies.
        let warmUpEnd = ContinuousClock.now + .milliseconds(300)
        let end = warmUpEnd + duration
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<inFlight {
                group.addTask(executorPreference: executor) {
                    var samples = [Duration]()
                    samples.reserveCapacity(100_000)
                    while true {
                        let start = ContinuousClock.now
                        if start >= end { break }
                        _ = try await client.unary(echo, request)
                        if start >= warmUpEnd { samples.append(ContinuousClock.now - start) }
                    }
                    return samples
                }
            }
            var all = [Duration]()
            for try await samples in group { all += samples }
            return all.sorted()
        }
        guard !latencies.isEmpty else { return Result(callsPerSecond: 0, p50: .zero, p99: .zero) }
        return Result(
            callsPerSecond: Double(latencies.count) / duration.seconds,
            p50: latencies[latencies.count / 2],
            p99: latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        )
    }
}
