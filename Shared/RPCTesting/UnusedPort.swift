import NIOCore
import NIOPosix

/// A port nothing listens on (bound once, then released): for a peer that is down, or one a test
/// starts later on a port it knows in advance.
public func unusedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}
