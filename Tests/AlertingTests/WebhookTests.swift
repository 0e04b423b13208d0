import Alerting
import Foundation
import PMProto
import PMServices
import RPCTesting
import ServiceKit
import Testing
import WebhookTestSupport

@Suite("Webhook notifications")
struct WebhookTests {
    static let secret = "webhook-test-secret"

    static func configure(_ receiver: TestWebhookReceiver) -> (inout AlertingConfiguration) -> Void {
        { configuration in
            configuration.webhooks.receivers = [WebhookReceiver(url: receiver.url)]
            configuration.webhooks.secret = secret
            configuration.webhooks.initialBackoff = .milliseconds(50)
        }
    }

    @Test("signed, retried after a 500 with the same delivery id, delivered once; repeats and silenced alerts are not notified")
    func delivery() async throws {
        try await TestWebhookReceiver.with(failFirstAttempts: 1) { receiver in
            let folder = try TemporaryFolder()
            try await AlertingTest.with(folder: folder, configure: Self.configure(receiver)) { client in
                let now = WallClock.nowMs()
                _ = try await client.createSilence(
                    CreateSilenceRequest(silence: Silence(equipmentID: 2, endsAtMs: now + 3_600_000, reason: "overhaul", createdBy: "ana")))
                let alert = try #require(try await client.raiseAlert(AlertingTest.raise("n1", severity: .critical)).alert)
                _ = try await client.raiseAlert(AlertingTest.raise("n2", severity: .critical))  // a repeat: not notified
                _ = try await client.raiseAlert(AlertingTest.raise("n3", machine: 2))  // silenced: not notified
                _ = try await client.acknowledgeAlert(AcknowledgeAlertRequest(alertID: alert.id, by: "ana"))

                #expect(try await eventually { receiver.accepted.count == 2 })
                let accepted = receiver.accepted
                #expect(accepted.map { $0.json["event"] as? String } == ["raised", "acknowledged"])
                #expect(accepted.allSatisfy { $0.isSigned(with: Self.secret) })
                #expect(!accepted[0].isSigned(with: "another secret"))
                let alertJSON = accepted[0].json["alert"] as? [String: Any]
                #expect(alertJSON?["equipment_id"] as? Int == 1)
                #expect(alertJSON?["severity"] as? String == "critical")
                // Each delivery failed once with 500, then came again with the same id and was accepted.
                for delivery in accepted {
                    #expect(receiver.deliveries.filter { $0.deliveryID == delivery.deliveryID }.map(\.status) == [500, 200])
                }
                #expect(Set(receiver.deliveries.map(\.deliveryID)).count == 2)
            }
        }
    }
}
