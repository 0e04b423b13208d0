import PMRPC
import Testing

/// Expects `body` to fail with an `RPCError` of `code`, and returns it.
@discardableResult
public func expectRPCError(
    _ code: RPCError.Code,
    _ body: () async throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected RPCError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
///
/// This is how a test waits for something another task or process does: the limit is generous
/// (a loaded two-core CI machine can stall for seconds), and a condition that holds early ends the
/// wait early, so a generous limit costs nothing when all is well. Never sleep and then assert.
public func eventually(timeout: Duration = .seconds(120), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// The connect timeout of tests' clients: a connection on loopback is immediate, but a busy two-core
/// CI machine once let the default 2 s expire while several whole systems started at once.
public let testConnectTimeout: Duration = .seconds(60)
