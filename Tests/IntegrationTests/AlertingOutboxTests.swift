import Foundation
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing
import WebhookTestSupport

/// Alerting as a real process killed with SIGKILL while its notifications are still failing: after a
/// restart on the same files, each is delivered, once per delivery id.
@Suite("Alerting outbox")
struct AlertingOutboxTests {
    static let token = "outbox-token"
    static let secret = "outbox-secret"

    static func startAlerting(dataDirectory: String, receiver: TestWebhookReceiver) async throws -> ServiceProcess {
        let process = try ServiceProcess(
            executable: "alerting",
            environment: [
                "ALERTING_RPC_PORT": "0", "PM_RPC_TOKEN": token, "PM_DATA_DIR": dataDirectory, "PM_LOG_LEVEL": "error",
                "ALERTING_WEBHOOK_URLS": receiver.url, "ALERTING_WEBHOOK_SECRET": secret,
                "ALERTING_WEBHOOK_RETRY_INITIAL_MS": "100", "ALERTING_WEBHOOK_RETRY_MAX_SECONDS": "1",
            ])
        try await process.start()
        return process
    }

    @Test("kill -9 with notifications pending: after the restart each is delivered, under one delivery id each")
    func killWithPendingNotifications() async throws {
        try await TestWebhookReceiver.with { receiver in
            receiver.refusing = true
            let folder = try TemporaryFolder()
            let alerting = try await Self.startAlerting(dataDirectory: folder.path, receiver: receiver)
            let client = AlertingServiceClient(alerting.rpcClient(token: Self.token))
            for machine in Int64(1)...5 {
                _ = try await client.raiseAlert(
                    RaiseAlertRequest(
                        eventID: "outbox-\(machine)", equipmentID: machine, severity: .critical, title: "Overheating",
                        kind: "anomaly:temperature"))
            }
            // Every notification has been tried and refused at least once: all five are pending.
            #expect(try await eventually(timeout: .seconds(60)) { Set(receiver.deliveries.map(\.deliveryID)).count == 5 })
            await client.rpcClient.close()
            kill(alerting.process.processIdentifier, SIGKILL)
            #expect(try await eventually { !alerting.process.isRunning })

            receiver.refusing = false
            let restarted = try await Self.startAlerting(dataDirectory: folder.path, receiver: receiver)
            let restartedClient = AlertingServiceClient(restarted.rpcClient(token: Self.token))
            #expect(try await eventually(timeout: .seconds(60)) { Set(receiver.accepted.map(\.deliveryID)).count == 5 })
            // One more alert, delivered after the five: the deliverer has moved past them.
            _ = try await restartedClient.raiseAlert(
                RaiseAlertRequest(
                    eventID: "outbox-6", equipmentID: 6, severity: .critical, title: "Overheating", kind: "anomaly:temperature"))
            #expect(try await eventually(timeout: .seconds(60)) { Set(receiver.accepted.map(\.deliveryID)).count == 6 })

            // Each notification was accepted under its own delivery id. One request may have reached the
            // receiver as alerting died (sent, never marked delivered); it comes again after the restart
            // with the same id, for the receiver to drop: at most one repeat, never a new id.
            let accepted = receiver.accepted
            #expect(accepted.count <= 7, "\(accepted.map(\.deliveryID))")
            let machines = Set(accepted.compactMap { ($0.json["alert"] as? [String: Any])?["equipment_id"] as? Int })
            #expect(machines == Set(1...6))
            #expect(accepted.allSatisfy { $0.isSigned(with: Self.secret) })
            await restartedClient.rpcClient.close()
            #expect(try await restarted.terminate() == 0)
        }
    }
}
