import Logging
import ServiceLifecycle

/// One part of a service (its server, a background job) that logs when shutdown reaches it. The group
/// stops its parts one at a time, in reverse order, so a shutdown that hangs names the part it waits
/// for in the last "stopping" line; the part still running when the shutdown grace ends is cancelled,
/// and says so.
struct ShutdownLogged: Service, CustomStringConvertible {
    let service: any Service
    let logger: Logger

    /// The part's own description if it has one (a periodic job's name), else its type's name.
    var description: String { (service as? any CustomStringConvertible)?.description ?? String(describing: type(of: service)) }

    func run() async throws {
        defer {
            // Only a part that was asked to stop and then cancelled ran out of grace: parts cancelled
            // because another one failed (a port in use at start) were never asked.
            if Task.isCancelled && Task.isShuttingDownGracefully {
                logger.warning("cancelled: still running when the shutdown grace ended", metadata: ["service.part": "\(self)"])
            }
        }
        try await withGracefulShutdownHandler {
            try await service.run()
        } onGracefulShutdown: {
            logger.info("stopping", metadata: ["service.part": "\(self)"])
        }
    }
}
