import Metrics
import Synchronization

/// The WebSocket clients and what each wants: one upstream subscription per internal stream (see
/// ``LiveFeed``) publishes here, and every client's bounded queue receives what concerns it. A client
/// whose queue is full is too slow: its queue is closed and its session disconnects it, so one slow
/// phone cannot make the gateway buffer without bound.
final class LiveHub: Sendable {
    /// Set when the client's queue overflowed: its session closes the connection with 1013.
    final class Membership: Sendable {
        let id: Int
        let messages: AsyncStream<String>
        fileprivate let tooSlowFlag = Atomic(false)
        var tooSlow: Bool { tooSlowFlag.load(ordering: .relaxed) }

        fileprivate init(id: Int, messages: AsyncStream<String>) {
            self.id = id
            self.messages = messages
        }
    }

    private struct Client {
        let queue: AsyncStream<String>.Continuation
        let membership: Membership
        /// Machines whose readings and predictions the client wants; nil = every machine.
        var machines: Set<Int64>? = []
    }

    private struct State {
        var clients: [Int: Client] = [:]
        var nextID = 0
        /// The latest alert events, oldest first, for clients that reconnect and resume.
        var recentAlerts: [(sequence: UInt64, text: String)] = []
        var lastAlertSequence: UInt64 = 0
    }

    let queueLimit: Int
    let recentAlertLimit: Int
    private let state = Mutex(State())

    init(queueLimit: Int, recentAlertLimit: Int = 1000) {
        self.queueLimit = queueLimit
        self.recentAlertLimit = recentAlertLimit
    }

    /// Registers a client; its messages arrive on the membership's stream until ``leave(_:)``.
    func join() -> Membership {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(queueLimit))
        return state.withLock { state in
            state.nextID += 1
            let membership = Membership(id: state.nextID, messages: stream)
            state.clients[state.nextID] = Client(queue: continuation, membership: membership)
            Self.clientsGauge.record(state.clients.count)
            return membership
        }
    }

    func leave(_ id: Int) {
        let client = state.withLock { state in
            defer { Self.clientsGauge.record(state.clients.count) }
            return state.clients.removeValue(forKey: id)
        }
        client?.queue.finish()
    }

    private static let clientsGauge = Gauge(label: "pm_gateway_websocket_clients")
    private static let tooSlowCounter = Counter(label: "pm_gateway_websocket_closed_too_slow_total")

    var clientCount: Int { state.withLock { $0.clients.count } }

    var lastAlertSequence: UInt64 { state.withLock { $0.lastAlertSequence } }

    /// Replaces the machines a client follows (nil = all).
    func subscribe(_ id: Int, to machines: Set<Int64>?) {
        state.withLock { $0.clients[id]?.machines = machines }
    }

    /// Sends one client a message of its own (hello, pong, a replay).
    func send(_ text: String, to id: Int) {
        state.withLock { state in
            guard let client = state.clients[id] else { return }
            Self.enqueue(text, for: client, id: id, in: &state)
        }
    }

    /// Sends every client a message (a status change).
    func broadcast(_ text: String) {
        state.withLock { state in
            for (id, client) in state.clients { Self.enqueue(text, for: client, id: id, in: &state) }
        }
    }

    /// Sends a machine's message (a reading, a prediction) to the clients that follow the machine;
    /// `text` is built only when someone does.
    func publish(machine: Int64, _ text: () -> String) {
        state.withLock { state in
            let followers = state.clients.filter { $0.value.machines?.contains(machine) ?? true }
            guard !followers.isEmpty else { return }
            let message = text()
            for (id, client) in followers { Self.enqueue(message, for: client, id: id, in: &state) }
        }
    }

    /// Records an alert event for resuming clients and, when `live`, sends it to everyone.
    func publishAlert(sequence: UInt64, text: String, live: Bool) {
        state.withLock { state in
            guard sequence > state.lastAlertSequence else { return }
            state.lastAlertSequence = sequence
            state.recentAlerts.append((sequence, text))
            if state.recentAlerts.count > recentAlertLimit { state.recentAlerts.removeFirst(state.recentAlerts.count - recentAlertLimit) }
            guard live else { return }
            for (id, client) in state.clients { Self.enqueue(text, for: client, id: id, in: &state) }
        }
    }

    /// The alert events after `sequence`, or nil when some of them are no longer kept.
    func alerts(after sequence: UInt64) -> [String]? {
        state.withLock { state in
            guard sequence < state.lastAlertSequence else { return [] }
            guard let oldest = state.recentAlerts.first?.sequence, oldest <= sequence + 1 else { return nil }
            return state.recentAlerts.filter { $0.sequence > sequence }.map(\.text)
        }
    }

    private static func enqueue(_ text: String, for client: Client, id: Int, in state: inout State) {
        if case .dropped = client.queue.yield(text) {
            // Full: the client gets no more messages; its session closes the connection.
            client.membership.tooSlowFlag.store(true, ordering: .relaxed)
            client.queue.finish()
            state.clients.removeValue(forKey: id)
            tooSlowCounter.increment()
            clientsGauge.record(state.clients.count)
        }
    }
}
