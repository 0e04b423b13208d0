import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

@Suite("RaiseAlert: idempotency, dedup, escalation")
struct RaiseAlertTests {
    @Test("the same event raised again, in sequence or at once, makes one alert with one occurrence")
    func idempotentByEventID() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            let first = try await client.raiseAlert(AlertingTest.raise("e-1"))
            #expect(first.created)
            let again = try await client.raiseAlert(AlertingTest.raise("e-1"))
            #expect(!again.created)
            #expect(again.alert?.id == first.alert?.id)
            #expect(again.alert?.occurrences == 1)

            // Sixteen concurrent retries of one new event.
            let responses = try await withThrowingTaskGroup(of: RaiseAlertResponse.self) { group in
                for _ in 0..<16 { group.addTask { try await client.raiseAlert(AlertingTest.raise("e-2", machine: 2)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.filter(\.created).count == 1)
            #expect(Set(responses.compactMap { $0.alert?.id }).count == 1)
            let machine2 = try await client.listAlerts(ListAlertsRequest(equipmentID: 2))
            #expect(machine2.alerts.count == 1)
            #expect(machine2.alerts.first?.occurrences == 1)
            let history = try await client.getAlert(GetAlertRequest(alertID: machine2.alerts[0].id)).history
            #expect(history.map(\.kind) == [.raised])
        }
    }

    @Test("repeats fold into the open alert; a rise in severity escalates and never drops back")
    func dedupAndEscalation() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            let opened = try #require(try await client.raiseAlert(AlertingTest.raise("a", confidence: 70)).alert)
            let folded = try await client.raiseAlert(AlertingTest.raise("b", confidence: 90))
            #expect(!folded.created)
            #expect(folded.alert?.id == opened.id)
            #expect(folded.alert?.occurrences == 2)
            #expect(folded.alert?.confidence == 90)

            let escalated = try #require(try await client.raiseAlert(AlertingTest.raise("c", severity: .critical)).alert)
            #expect(escalated.id == opened.id)
            #expect(escalated.severity == .critical)
            let calmer = try #require(try await client.raiseAlert(AlertingTest.raise("d", severity: .warning)).alert)
            #expect(calmer.severity == .critical)
            #expect(calmer.occurrences == 4)

            // Another kind on the same machine, and the same kind on another machine, are alerts of their own.
            let otherKind = try await client.raiseAlert(AlertingTest.raise("e", kind: "anomaly:temperature"))
            let otherMachine = try await client.raiseAlert(AlertingTest.raise("f", machine: 3))
            #expect(otherKind.created && otherMachine.created)

            let history = try await client.getAlert(GetAlertRequest(alertID: opened.id)).history
            #expect(history.map(\.kind) == [.raised, .updated, .escalated, .updated])
            #expect(history[2].comment == "warning -> critical")
            #expect(history.map(\.sequence) == history.map(\.sequence).sorted())

            let stats = try await client.alertStats()
            #expect(stats.active == 3)
            #expect(stats.criticalActive == 1)
        }
    }

    @Test("bad input is INVALID_ARGUMENT naming the field")
    func badInput() async throws {
        let folder = try TemporaryFolder()
        try await AlertingTest.with(folder: folder) { client in
            let cases: [(String, (inout RaiseAlertRequest) -> Void)] = [
                ("event_id", { $0.eventID = "" }),
                ("equipment_id", { $0.equipmentID = -1 }),
                ("severity", { $0.severity = .info }),
                ("kind", { $0.kind = "" }),
                ("kind", { $0.kind = String(repeating: "k", count: 101) }),
                ("title", { $0.title = "" }),
                ("confidence", { $0.confidence = .nan }),
                ("confidence", { $0.confidence = 101 }),
                ("sensors", { $0.sensors = Array(repeating: "s", count: 33) }),
                ("timestamp_ms", { $0.timestampMs = -5 }),
                ("predicted_failure_ms", { $0.predictedFailureMs = .max }),
            ]
            for (field, breakIt) in cases {
                var request = AlertingTest.raise("bad-\(field)")
                breakIt(&request)
                let error = await expectRPCError(.invalidArgument) { _ = try await client.raiseAlert(request) }
                #expect(error?.metadata["field"] == field)
            }
            await expectRPCError(.invalidArgument) { _ = try await client.listAlerts(ListAlertsRequest(limit: 1001)) }
            await expectRPCError(.invalidArgument) { _ = try await client.getAlert(GetAlertRequest(alertID: 0)) }
            await expectRPCError(.notFound) { _ = try await client.getAlert(GetAlertRequest(alertID: 99)) }
            let stats = try await client.alertStats()
            #expect(stats.active == 0)
        }
    }
}
