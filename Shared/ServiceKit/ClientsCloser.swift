import PMRPC
import ServiceLifecycle

/// Closes RPC clients of other services when the service shuts down; put it after what uses them.
public struct ClientsCloser: Service {
    let clients: [RPCClient]

    /// Closes `clients` at graceful shutdown.
    public init(_ clients: [RPCClient]) {
        self.clients = clients
    }

    /// Waits for graceful shutdown, then closes the clients.
    public func run() async throws {
        try? await gracefulShutdown()
        for client in clients { await client.close() }
    }
}
