import Logging
import PMProto
import PMServices
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The gateway's upstream side of `/ws`: one subscription per internal stream, whatever the number of
/// clients. Readings follow Ingest's StreamReadings and alerts Alerting's WatchAlerts (both resumable);
/// machine statuses and Detection's predictions, which have no stream, are polled.
final class LiveFeed: Service, Sendable {
    let clients: ServiceClients
    let hub: LiveHub
    let names: EquipmentNames
    let pollInterval: Duration
    let logger: Logger
    /// Every machine's latest status, also the `equipment_status` of POST /api/sensor-data.
    let statuses = Mutex<[Int64: EquipmentStatus]>([:])

    init(clients: ServiceClients, hub: LiveHub, names: EquipmentNames, pollInterval: Duration, logger: Logger) {
        self.clients = clients
        self.hub = hub
        self.names = names
        self.pollInterval = pollInterval
        self.logger = logger
    }

    func run() async throws {
        let startedMs = WallClock.nowMs()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followReadings() }
                group.addTask { await self.followAlerts(startedMs: startedMs) }
                group.addTask { await self.poll("machine statuses") { try await self.pollStatuses() } }
                group.addTask { await self.pollPredictions(since: startedMs) }
            }
        }
    }

    func status(of machine: Int64) -> EquipmentStatus? { statuses.withLock { $0[machine] } }

    private func followReadings() async {
        // Live only: a client loads history over REST, so the feed starts at the newest reading.
        let position = Mutex<UInt64?>(nil)
        try? await ResumableFollow(
            name: "Ingest's readings", logger: logger,
            committed: {
                if let known = position.withLock({ $0 }) { return known }
                let last = try await self.clients.ingest.readingStats(.init(sinceMs: WallClock.nowMs())).lastSequence
                position.withLock { $0 = last }
                return last
            },
            follow: { after in
                try await self.clients.ingest.streamReadings(.init(afterSequence: after)) { stream in
                    for try await message in stream {
                        for reading in message.readings {
                            self.hub.publish(machine: reading.equipmentID) { LiveMessages.reading(reading) }
                        }
                        if let last = message.readings.last?.sequence { position.withLock { $0 = last } }
                    }
                }
            }
        ).run()
    }

    /// Every alert event from the first: those older than the gateway's start fill the replay buffer for
    /// clients that resume; the rest go out live.
    private func followAlerts(startedMs: Int64) async {
        try? await ResumableFollow(
            name: "Alerting's events", logger: logger,
            committed: { self.hub.lastAlertSequence },
            follow: { after in
                try await self.clients.alerting.watchAlerts(.init(afterSequence: after)) { stream in
                    for try await event in stream {
                        let name = event.alert.flatMap { self.names.cached($0.equipmentID) }
                        // Events from before the gateway started (its catch-up on Alerting's log) only
                        // fill the replay buffer; a minute of slack covers a restart's gap.
                        let live = event.atMs >= startedMs - 60_000
                        self.hub.publishAlert(sequence: event.sequence, text: LiveMessages.alert(event, equipmentName: name), live: live)
                    }
                }
            }
        ).run()
    }

    private func pollStatuses() async throws {
        let machines = try await clients.ingest.allEquipment()
        names.remember(machines)
        let previous = statuses.withLock { statuses in
            defer { statuses = Dictionary(machines.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first }) }
            return statuses
        }
        // The first poll only learns the statuses; later ones report changes.
        guard !previous.isEmpty else { return }
        for machine in machines where previous[machine.id] != machine.status {
            hub.broadcast(LiveMessages.statusUpdate(machine, previous: previous[machine.id]))
        }
    }

    private func pollPredictions(since startedMs: Int64) async {
        // Per replica: the newest prediction time sent, and the ids sent at that time (ids are per replica).
        var seen = Array(repeating: (ms: startedMs, ids: Set<Int64>()), count: clients.detection.count)
        await poll("predictions") {
            for (index, replica) in self.clients.detection.enumerated() {
                let predictions = try await replica.listPredictions(.init(sinceMs: seen[index].ms, limit: 1000)).predictions
                let fresh = predictions.filter { $0.timestampMs > seen[index].ms || !seen[index].ids.contains($0.id) }
                    .sorted { ($0.timestampMs, $0.id) < ($1.timestampMs, $1.id) }
                guard let newest = fresh.last?.timestampMs else { continue }
                // At most the newest 1,000 per replica and poll: after a burst (a batch upload) clients
                // reload the rest over REST.
                for prediction in fresh {
                    self.hub.publish(machine: prediction.equipmentID) {
                        LiveMessages.prediction(prediction, equipmentName: self.names.cached(prediction.equipmentID))
                    }
                }
                let atNewest = Set(fresh.filter { $0.timestampMs == newest }.map(\.id))
                seen[index] = newest > seen[index].ms ? (newest, atNewest) : (newest, seen[index].ids.union(atNewest))
            }
        }
    }

    /// Runs `body` every poll interval until shutdown; a failure is logged once per outage.
    private func poll(_ what: String, _ body: () async throws -> Void) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await body()
                if failing { logger.info("polling \(what) works again") }
                failing = false
            } catch {
                if !failing { logger.warning("polling \(what) failed", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try? await Task.sleep(for: pollInterval)
        }
    }
}
