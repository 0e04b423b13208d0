import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

@Suite("WatchAlerts and silences")
struct WatchAndSilenceTests {
    /// Reads the stream from `after` until `count` events arrived.
    static func watch(_ client: AlertingServiceClient, after: UInt64, count: Int) async throws -> [AlertEvent] {
        try await client.watchAlerts(WatchAlertsRequest(afterSequence: after)) { stream in
            var events: [AlertEvent] = []
            for try await event in stream {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
    }

    @Test("every event in order from a sequence, then new ones as they commit; a resumed watcher has no gap and no duplicate")
    func resume() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            let alert = try #require(try await client.raiseAlert(AlertingTest.raise("w1")).alert)
            _ = try await client.raiseAlert(AlertingTest.raise("w2", severity: .critical))
            _ = try await client.acknowledgeAlert(AcknowledgeAlertRequest(alertID: alert.id, by: "ana"))
            let first = try await Self.watch(client, after: 0, count: 3)
            #expect(first.map(\.kind) == [.raised, .escalated, .acknowledged])
            #expect(first.map(\.sequence) == [1, 2, 3])

            // A watcher that stopped after the second event resumes with the third, then sees new ones.
            async let resumed = Self.watch(client, after: first[1].sequence, count: 3)
            _ = try await client.resolveAlert(ResolveAlertRequest(alertID: alert.id, by: "ana"))
            _ = try await client.raiseAlert(AlertingTest.raise("w3", machine: 2))
            let events = try await resumed
            #expect(events.map(\.sequence) == [3, 4, 5])
            #expect(events.map(\.kind) == [.acknowledged, .resolved, .raised])
            #expect(events.last?.alert?.equipmentID == 2)
        }
    }

    @Test("a silenced alert is recorded and listed, marked silenced; silences are listed and deleted, by id or key")
    func silences() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            let now = WallClock.nowMs()
            let silence = Silence(equipmentID: 1, endsAtMs: now + 3_600_000, reason: "pump overhaul", createdBy: "ana", key: "task-7")
            let created = try await client.createSilence(CreateSilenceRequest(silence: silence))
            #expect(created.created)
            let again = try await client.createSilence(CreateSilenceRequest(silence: silence))
            #expect(!again.created && again.silence?.id == created.silence?.id)

            let muted = try #require(try await client.raiseAlert(AlertingTest.raise("s1", machine: 1)).alert)
            #expect(muted.silenced)
            let loud = try #require(try await client.raiseAlert(AlertingTest.raise("s2", machine: 2)).alert)
            #expect(!loud.silenced)
            #expect(try await client.listAlerts(ListAlertsRequest(equipmentID: 1)).alerts.first?.silenced == true)

            #expect(try await client.listSilences(ListSilencesRequest()).silences.map(\.key) == ["task-7"])
            #expect(try await client.deleteSilence(DeleteSilenceRequest(key: "task-7")).deleted)
            #expect(try await !client.deleteSilence(DeleteSilenceRequest(key: "task-7")).deleted)
            #expect(try await client.listSilences(ListSilencesRequest()).silences.isEmpty)
            let unmuted = try #require(try await client.raiseAlert(AlertingTest.raise("s3", machine: 1)).alert)
            #expect(!unmuted.silenced && unmuted.id == muted.id)

            var backwards = silence
            backwards.key = ""
            backwards.startsAtMs = now
            backwards.endsAtMs = now - 1
            let error = await expectRPCError(.invalidArgument) {
                _ = try await client.createSilence(CreateSilenceRequest(silence: backwards))
            }
            #expect(error?.metadata["field"] == "silence.ends_at_ms")
            await expectRPCError(.invalidArgument) { _ = try await client.deleteSilence(DeleteSilenceRequest()) }
        }
    }
}
