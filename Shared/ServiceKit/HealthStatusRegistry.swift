import PMProto
import Synchronization

/// The serving status of a server ("" key) and of each service it hosts, with watchers told of changes.
/// Safe to use from any task or thread.
public final class HealthStatusRegistry: Sendable {
    private struct State {
        var statuses: [String: ServingStatus] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<ServingStatus>.Continuation)] = [:]
        var nextWatcher = 0
    }

    private let state = Mutex(State())

    /// A registry with no statuses set; ``status(of:)`` answers nil for every service until one is.
    public init() {}

    /// Sets the status of `service` ("" for the server as a whole) and tells its watchers.
    public func set(_ status: ServingStatus, for service: String = "") {
        let toNotify = state.withLock { state in
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for continuation in toNotify { continuation.yield(status) }
    }

    /// Marks the server and every registered service.
    public func setAll(_ status: ServingStatus) {
        let services = state.withLock { Array($0.statuses.keys) }
        for service in Set(services + [""]) { set(status, for: service) }
    }

    /// The status last set for `service`, or nil if none was.
    public func status(of service: String) -> ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    /// The current status at once, then every change; only the newest status is kept for a slow watcher.
    func watch(_ service: String) -> AsyncStream<ServingStatus> {
        let (stream, continuation) = AsyncStream<ServingStatus>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = (service, continuation)
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}
