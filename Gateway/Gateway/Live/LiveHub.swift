import Metrics
import Synchronization

/// The WebSocket clients and what each wants: one upstream subscription per internal stream (see
/// ``LiveFeed``) publishes here, and every client's bounded queue receives what concerns it. A client
/// whose queue is full is too slow: its queue is closed and its session disconnects it, so one slow
/// phone cannot make the gateway buffer without bound.
///
/// Alert events carry Alerting's sequence. Each client has a cursor, the last sequence it was sent, so
/// that it never gets an event twice out of order: live events below its cursor are skipped, and a
/// resume replays in order, under the same lock as live publishing.
final class LiveHub: Sendable {
    /// A client's end: its messages, and whether the hub gave up on it because it fell behind.
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
        /// The last alert sequence the client was sent (or said it had seen).
        var alertCursor: UInt64
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
    private static let clientsGauge = Gauge(label: "pm_gateway_websocket_clients")
    private static let tooSlowCounter = Counter(label: "pm_gateway_websocket_closed_too_slow_total")

    init(queueLimit: Int, recentAlertLimit: Int = 1000) {
        self.queueLimit = queueLimit
        self.recentAlertLimit = recentAlertLimit
    }

    /// Registers a client whose first message is `hello(alertSequence)`, made and queued under the lock
    /// so that no alert can come before it or be missing from its sequence.
    func join(hello: (UInt64) -> String) -> Membership {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(queueLimit))
        return state.withLock { state in
            state.nextID += 1
            let membership = Membership(id: state.nextID, messages: stream)
            let client = Client(queue: continuation, membership: membership, alertCursor: state.lastAlertSequence)
            state.clients[state.nextID] = client
            Self.enqueue(hello(state.lastAlertSequence), for: client, in: &state)
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

    var lastAlertSequence: UInt64 { state.withLock { $0.lastAlertSequence } }

    /// Replaces the machines a client follows (nil = all).
    func subscribe(_ id: Int, to machines: Set<Int64>?) {
        state.withLock { $0.clients[id]?.machines = machines }
    }

    /// Sends one client a message of its own (pong, an error).
    func send(_ text: String, to id: Int) {
        state.withLock { state in
            guard let client = state.clients[id] else { return }
            Self.enqueue(text, for: client, in: &state)
        }
    }

    /// Sends every client a message (a status change).
    func broadcast(_ text: String) {
        state.withLock { state in
            for client in state.clients.values { Self.enqueue(text, for: client, in: &state) }
        }
    }

    /// Sends a machine's message (a reading, a prediction) to the clients that follow the machine;
    /// `text` is built once, and only when someone follows.
    func publish(machine: Int64, _ text: () -> String) {
        state.withLock { state in
            var message: String?
            for client in state.clients.values where client.machines?.contains(machine) ?? true {
                if message == nil { message = text() }
                Self.enqueue(message!, for: client, in: &state)
            }
        }
    }

    /// Records an alert event for resuming clients and, when `live`, sends it to every client whose
    /// cursor is behind it.
    func publishAlert(sequence: UInt64, text: String, live: Bool) {
        state.withLock { state in
            guard sequence > state.lastAlertSequence else { return }
            state.lastAlertSequence = sequence
            state.recentAlerts.append((sequence, text))
            if state.recentAlerts.count > recentAlertLimit { state.recentAlerts.removeFirst(state.recentAlerts.count - recentAlertLimit) }
            guard live else { return }
            for (id, client) in state.clients where client.alertCursor < sequence {
                state.clients[id]?.alertCursor = sequence
                Self.enqueue(text, for: client, in: &state)
            }
        }
    }

    /// A client that saw every alert event up to `sequence` (before a reconnect) gets, in order, every
    /// kept event after it; when some of those are no longer kept, `resync` instead. Either way its
    /// cursor moves to the newest event, so live events continue after it without duplicates.
    func resume(_ id: Int, after sequence: UInt64, resync: String) {
        state.withLock { state in
            guard let client = state.clients[id] else { return }
            guard sequence < state.lastAlertSequence else {
                // The client is ahead of this gateway (which restarted and is still catching up):
                // it must not get the events it has again.
                state.clients[id]?.alertCursor = max(client.alertCursor, sequence)
                return
            }
            if let oldest = state.recentAlerts.first?.sequence, oldest <= sequence + 1 {
                for event in state.recentAlerts where event.sequence > sequence { Self.enqueue(event.text, for: client, in: &state) }
            } else {
                Self.enqueue(resync, for: client, in: &state)
            }
            state.clients[id]?.alertCursor = state.lastAlertSequence
        }
    }

    private static func enqueue(_ text: String, for client: Client, in state: inout State) {
        if case .dropped = client.queue.yield(text) {
            // Full: the client gets no more messages; its session closes the connection.
            client.membership.tooSlowFlag.store(true, ordering: .relaxed)
            client.queue.finish()
            state.clients.removeValue(forKey: client.membership.id)
            tooSlowCounter.increment()
            clientsGauge.record(state.clients.count)
        }
    }
}
