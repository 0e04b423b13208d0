import PMRPC

/// Runs a test body against a running server task with a client, then closes the client and shuts
/// the server down gracefully (or, if the body throws, cancels it).
func runWithClient<Result: Sendable, Context: Sendable>(
    _ context: Context,
    client: RPCClient,
    serverTasks group: inout ThrowingTaskGroup<Void, any Error>,
    shutdown: () -> Void,
    _ body: @Sendable (Context) async throws -> Result
) async throws -> Result {
    do {
        let result = try await body(context)
        await client.close()
        shutdown()
        try await group.waitForAll()
        return result
    } catch {
        await client.close()
        group.cancelAll()
        throw error
    }
}
