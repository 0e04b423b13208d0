import Logging
import Metrics
import Synchronization

/// Logs every call's outcome: the caller's mistakes at debug, successes at trace. Failures the service
/// caused are logged once, at error level, by the server itself, which sees their real error.
public struct LoggingServerInterceptor: ServerInterceptor {
    /// The interceptor; it logs through each call's `ServerContext.logger`, so the server logger's level applies.
    public init() {}

    /// Runs the call and logs its outcome with the call's logger; rethrows the error unchanged.
    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        let start = ContinuousClock.now
        do {
            try await next(context)
            if context.logLevel <= .trace {
                context.logger.trace("call succeeded", metadata: ["rpc.duration": "\(ContinuousClock.now - start)"])
            }
        } catch {
            let status = RPCError.fromHandlerError(error)
            if !status.code.isServerFault, context.logLevel <= .debug {
                context.logger.debug(
                    "call failed",
                    metadata: [
                        "rpc.code": "\(status.code)", "rpc.message": "\(status.message)",
                        "rpc.duration": "\(ContinuousClock.now - start)",
                    ])
            }
            throw error
        }
    }
}

/// Records `rpc_server_calls_total` and `rpc_server_call_duration_seconds` by method and status code.
public struct MetricsServerInterceptor: ServerInterceptor {
    /// The interceptor; it records through the process's swift-metrics backend, a no-op until one is bootstrapped.
    public init() {}

    /// Runs the call, then counts it and records its duration, whether it succeeded or threw; rethrows the
    /// error unchanged.
    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        // A caller chooses the text of an unknown method: one label for all, not one series each.
        try await CallMetrics.record("rpc_server", method: context.isKnownMethod ? context.method : "unknown") { try await next(context) }
    }
}

/// Records `rpc_client_calls_total` and `rpc_client_call_duration_seconds` by method and status code,
/// as the calling side sees them (a deadline that expired in the caller counts as DEADLINE_EXCEEDED).
public struct MetricsClientInterceptor: ClientInterceptor {
    /// The interceptor; it records through the process's swift-metrics backend, a no-op until one is bootstrapped.
    public init() {}

    /// Runs the call, then counts it and records its duration (for a stream: until it ended); rethrows
    /// the error unchanged.
    public func intercept(context: ClientContext, next: @Sendable (ClientContext) async throws -> Void) async throws {
        try await CallMetrics.record("rpc_client", method: context.method) { try await next(context) }
    }
}

/// `<side>_calls_total{method,code}` and `<side>_call_duration_seconds{method}` around one call.
private enum CallMetrics {
    static func record(_ side: String, method: String, _ call: () async throws -> Void) async throws {
        let start = ContinuousClock.now
        var code = RPCError.Code.ok
        defer {
            let (counter, timer) = handles(side: side, method: method, code: code)
            counter.increment()
            timer.record(duration: ContinuousClock.now - start)
        }
        do {
            try await call()
        } catch {
            code = RPCError.fromHandlerError(error).code
            throw error
        }
    }

    private struct Key: Hashable {
        let side: String
        let method: String
        let code: RPCError.Code
    }

    /// Made once per side, method and code: making them per call was a few percent of a busy service's CPU.
    private static let cache = Mutex<[Key: (Counter, Metrics.Timer)]>([:])

    private static func handles(side: String, method: String, code: RPCError.Code) -> (Counter, Metrics.Timer) {
        let key = Key(side: side, method: method, code: code)
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let made = (
            Counter(label: "\(side)_calls_total", dimensions: [("method", method), ("code", code.description)]),
            Metrics.Timer(label: "\(side)_call_duration_seconds", dimensions: [("method", method)])
        )
        // Metrics made before the process's backend is bootstrapped stay no-ops: keep only real ones.
        if !(MetricsSystem.factory is NOOPMetricsHandler) { cache.withLock { $0[key] = made } }
        return made
    }
}
