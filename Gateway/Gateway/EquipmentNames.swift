import PMProto
import PMServices
import Synchronization

/// Machine names for the lists that show them beside an id (alerts, tasks, predictions), as the seed's
/// joins did. Names are cached for a few seconds: a rename shows up on the next refresh, and a list
/// page costs one registry call at most.
final class EquipmentNames: Sendable {
    private let ingest: IngestServiceClient
    private let maxAge: Duration
    private let cache = Mutex<(names: [Int64: String], fetchedAt: ContinuousClock.Instant?)>(([:], nil))

    init(ingest: IngestServiceClient, maxAge: Duration = .seconds(5)) {
        self.ingest = ingest
        self.maxAge = maxAge
    }

    /// Names of the given machines (absent for unknown ids).
    func names(for ids: some Sequence<Int64>) async throws -> [Int64: String] {
        let (names, fetchedAt) = cache.withLock { ($0.names, $0.fetchedAt) }
        let fresh = fetchedAt.map { ContinuousClock.now - $0 < maxAge } ?? false
        if fresh && ids.allSatisfy({ names[$0] != nil }) { return names }
        return try await refresh()
    }

    func refresh() async throws -> [Int64: String] {
        let names = Dictionary(try await ingest.allEquipment().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        cache.withLock { $0 = (names, ContinuousClock.now) }
        return names
    }

    /// Replaces the cache with a full listing made elsewhere (the live feed's status poll).
    func remember(_ machines: some Sequence<Equipment>) {
        let names = Dictionary(machines.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        cache.withLock { $0 = (names, ContinuousClock.now) }
    }

    /// A name from the cache only, never waiting for Ingest (the live feed must not stall on it).
    func cached(_ id: Int64) -> String? {
        cache.withLock { $0.names[id] }
    }
}
