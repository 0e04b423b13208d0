import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

@Suite("Alert lifecycle")
struct LifecycleTests {
    @Test(
        "open -> acknowledged -> resolved, each with who, when and the note; a repeat is a no-op; invalid transitions are FAILED_PRECONDITION"
    )
    func transitions() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            let alert = try #require(try await client.raiseAlert(AlertingTest.raise("x")).alert)
            let first = try #require(try await client.acknowledgeAlert(AcknowledgeAlertRequest(alertID: alert.id, by: "ana")).alert)
            let retried = try #require(try await client.acknowledgeAlert(AcknowledgeAlertRequest(alertID: alert.id, by: "bob")).alert)
            #expect(retried == first, "a repeated acknowledgement changes nothing")
            #expect(try await client.getAlert(GetAlertRequest(alertID: alert.id)).history.filter { $0.kind == .acknowledged }.count == 1)
            let acknowledged = try #require(try await client.getAlert(GetAlertRequest(alertID: alert.id)).alert)
            #expect(acknowledged.state == .acknowledged && acknowledged.acknowledged && acknowledged.acknowledgedBy == "ana")
            #expect(try await client.listAlerts(ListAlertsRequest(acknowledged: false)).alerts.isEmpty)
            #expect(try await client.listAlerts(ListAlertsRequest(acknowledged: true)).alerts.count == 1)

            let resolved = try #require(
                try await client.resolveAlert(ResolveAlertRequest(alertID: alert.id, by: "ben", note: "bearing replaced")).alert)
            #expect(resolved.state == .resolved && resolved.resolvedBy == "ben" && resolved.resolvedAtMs > 0)
            #expect(try await client.resolveAlert(ResolveAlertRequest(alertID: alert.id, by: "carl")).alert == resolved)
            await expectRPCError(.failedPrecondition) {
                _ = try await client.acknowledgeAlert(AcknowledgeAlertRequest(alertID: alert.id, by: "ana"))
            }
            await expectRPCError(.notFound) { _ = try await client.resolveAlert(ResolveAlertRequest(alertID: 999, by: "ben")) }
            let missingBy = await expectRPCError(.invalidArgument) {
                _ = try await client.resolveAlert(ResolveAlertRequest(alertID: alert.id))
            }
            #expect(missingBy?.metadata["field"] == "by")

            // A resolved alert is never reopened: the next occurrence opens a new one.
            let next = try await client.raiseAlert(AlertingTest.raise("y"))
            #expect(next.created && next.alert?.id != alert.id)

            let history = try await client.getAlert(GetAlertRequest(alertID: alert.id)).history
            #expect(history.map(\.kind) == [.raised, .acknowledged, .resolved])
            #expect(history.map(\.toState) == [.open, .acknowledged, .resolved])
            #expect(history[1].fromState == .open && history[1].by == "ana")
            #expect(history[2].by == "ben" && history[2].comment == "bearing replaced")
            let stats = try await client.alertStats()
            #expect(stats.active == 1 && stats.acknowledged == 0)
        }
    }

    @Test("the caller's pm-actor metadata is who acknowledged, resolved or silenced, over the request's own field")
    func actorFromCallMetadata() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            func by(_ name: String) -> CallOptions { CallOptions(metadata: [Metadata.Keys.actor: name]) }
            let alert = try #require(try await client.raiseAlert(AlertingTest.raise("x")).alert)
            let acknowledged = try await client.acknowledgeAlert(
                AcknowledgeAlertRequest(alertID: alert.id, by: "body"), options: by("dana"))
            #expect(acknowledged.alert?.acknowledgedBy == "dana")
            // Without a `by` field the metadata alone is enough.
            let resolved = try await client.resolveAlert(ResolveAlertRequest(alertID: alert.id), options: by("erik"))
            #expect(resolved.alert?.resolvedBy == "erik")
            #expect(try await client.getAlert(GetAlertRequest(alertID: alert.id)).history.map(\.by) == ["detection", "dana", "erik"])
            let silence = try await client.createSilence(
                CreateSilenceRequest(
                    silence: Silence(equipmentID: 1, endsAtMs: WallClock.nowMs() + 3_600_000, reason: "r", createdBy: "body")),
                options: by("fay"))
            #expect(silence.silence?.createdBy == "fay")
            #expect(try await client.listSilences(ListSilencesRequest()).silences.map(\.createdBy) == ["fay"])
        }
    }

    @Test("an alert's history holds its newest 100 events, however often it repeated")
    func historyIsBounded() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            for index in 0..<130 { _ = try await client.raiseAlert(AlertingTest.raise("repeat-\(index)")) }
            let alert = try #require(try await client.listAlerts(ListAlertsRequest()).alerts.first)
            #expect(alert.occurrences == 130)
            let history = try await client.getAlert(GetAlertRequest(alertID: alert.id)).history
            #expect(history.count == 100)
            #expect(history.last?.alert?.occurrences == 130)
            #expect(history.map(\.sequence) == history.map(\.sequence).sorted())
        }
    }

    @Test("an alert with no occurrence for the quiet period is resolved by the service")
    func autoResolve() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { configuration in
            configuration.autoResolveAfter = .seconds(1)
            configuration.autoResolveInterval = .seconds(1)
        } _: { client in
            let alert = try #require(try await client.raiseAlert(AlertingTest.raise("quiet")).alert)
            #expect(
                try await eventually {
                    try await client.getAlert(GetAlertRequest(alertID: alert.id)).alert?.state == .resolved
                })
            let history = try await client.getAlert(GetAlertRequest(alertID: alert.id)).history
            #expect(history.last?.by == "auto-resolve")
            #expect(try await client.alertStats().active == 0)
        }
    }

    @Test("listing filters by machine, state, severity, kind and time, newest first, in pages")
    func listing() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            for machine in Int64(1)...5 {
                _ = try await client.raiseAlert(AlertingTest.raise("w\(machine)", machine: machine))
                _ = try await client.raiseAlert(
                    AlertingTest.raise("c\(machine)", machine: machine, kind: "anomaly:temperature", severity: .critical))
            }
            let all = try await client.listAlerts(ListAlertsRequest()).alerts
            #expect(all.count == 10)
            #expect(all.map(\.id) == all.map(\.id).sorted(by: >))
            #expect(try await client.listAlerts(ListAlertsRequest(minSeverity: .critical)).alerts.count == 5)
            #expect(try await client.listAlerts(ListAlertsRequest(equipmentID: 3)).alerts.count == 2)
            #expect(try await client.listAlerts(ListAlertsRequest(kind: "anomaly:temperature")).alerts.count == 5)
            #expect(try await client.listAlerts(ListAlertsRequest(state: .resolved)).alerts.isEmpty)
            #expect(try await client.listAlerts(ListAlertsRequest(toMs: 1)).alerts.isEmpty)
            let page1 = try await client.listAlerts(ListAlertsRequest(limit: 4)).alerts
            let page2 = try await client.listAlerts(ListAlertsRequest(limit: 4, beforeID: page1.last!.id)).alerts
            let page3 = try await client.listAlerts(ListAlertsRequest(limit: 4, beforeID: page2.last!.id)).alerts
            #expect((page1 + page2 + page3).map(\.id) == all.map(\.id))
        }
    }
}
