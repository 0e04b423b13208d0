#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local port that refuses connections for as long as this value lives: a socket bound to it but not
/// listening. Unlike `unusedPort()`, no other test can take the port in the meantime and answer.
public final class ClosedPort: Sendable {
    /// The refusing port on 127.0.0.1.
    public let port: Int
    private let descriptor: Int32

    /// Binds a socket to a free port on 127.0.0.1 without listening on it.
    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClosedPortError(call: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            let failure = ClosedPortError(call: "bind", errno: errno)
            close(descriptor)
            throw failure
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// The socket call that failed while reserving the port, with its error.
public struct ClosedPortError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32
    /// The failed call and the system's reason.
    public var description: String { "\(call) failed: \(String(cString: strerror(errno)))" }
}
