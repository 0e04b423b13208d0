import Foundation
import PMProto
import PMServices
import Testing

extension GatewaySystemTests {
    /// `/ws` over real processes: one upstream stream fanned out, per-machine subscriptions, a client that
    /// reconnects catches up, a client that cannot keep up is disconnected rather than buffered.
    @Suite("Gateway WebSocket", .serialized)
    struct GatewayLiveTests {
        static func socketURL(_ stack: SystemStack) -> String {
            stack.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws"
        }

        @Test("readings reach only the clients that follow the machine; pings are answered")
        func subscriptions() async throws {
            try await SystemStack.with { stack in
                let follower = LiveSocket(url: Self.socketURL(stack), key: stack.adminKey)
                let other = LiveSocket(url: Self.socketURL(stack), key: stack.adminKey)
                defer {
                    follower.close()
                    other.close()
                }
                for socket in [follower, other] { _ = try await socket.waitFor("hello") { $0["type"] as? String == "hello" } }
                follower.send(["type": "subscribe", "equipment_ids": [4]])
                other.send(["type": "subscribe", "equipment_ids": [5]])
                follower.send(["type": "ping"])
                _ = try await follower.waitFor("pong") { $0["type"] as? String == "pong" }
                // The subscription is in place once the pong (sent after it) has arrived.
                try await stack.postHealthyHistory(machine: 4, count: 5)
                _ = try await follower.waitFor("a reading of machine 4") { message in
                    (message["reading"] as? [String: Any])?["equipment_id"] as? Int == 4
                }
                other.send(["type": "ping"])
                _ = try await other.waitFor("pong") { $0["type"] as? String == "pong" }
                #expect(other.messages(ofType: "reading").isEmpty)
            }
        }

        @Test("a client that reconnects resumes after the last alert event it saw and gets what it missed")
        func resumeAfterReconnect() async throws {
            try await SystemStack.with { stack in
                let alerting = AlertingServiceClient(stack.alerting.rpcClient(token: SystemStack.token))
                let first = LiveSocket(url: Self.socketURL(stack), key: stack.adminKey)
                let hello = try await first.waitFor("hello") { $0["type"] as? String == "hello" }
                let raised = try await alerting.raiseAlert(
                    .init(
                        eventID: "resume-test-1", equipmentID: 2, severity: .warning, title: "Pressure drifting", kind: "anomaly:pressure"))
                let alertID = try #require(raised.alert?.id)
                let seen = try await first.waitFor("the raised alert") {
                    $0["type"] as? String == "alert" && $0["event"] as? String == "raised"
                }
                let lastSeen = try #require(seen["sequence"] as? Int)
                #expect(lastSeen > (hello["alert_sequence"] as? Int ?? Int.max))
                first.close()

                // While no client is connected, the alert is acknowledged.
                let acknowledged = try await stack.request(.POST, "/api/alerts/\(alertID)/acknowledge")
                #expect(acknowledged.status == 200, "\(acknowledged.text)")

                let second = LiveSocket(url: Self.socketURL(stack), key: stack.adminKey)
                defer { second.close() }
                _ = try await second.waitFor("hello") { $0["type"] as? String == "hello" }
                second.send(["type": "resume", "alert_sequence": lastSeen])
                let missed = try await second.waitFor("the missed acknowledgement") { message in
                    message["type"] as? String == "alert" && message["event"] as? String == "acknowledged"
                }
                #expect(((missed["alert"] as? [String: Any])?["id"] as? Int).map(Int64.init) == alertID)
                #expect(!second.messages(ofType: "alert").contains { $0["event"] as? String == "raised" })

                second.send(["type": "resume", "alert_sequence": 0])
                _ = try await second.waitFor("everything again from the start") {
                    $0["type"] as? String == "alert" && $0["event"] as? String == "raised"
                }
            }
        }

        @Test("a client that cannot keep up is closed with 1013 instead of being buffered without bound")
        func slowClientIsDisconnected() async throws {
            try await SystemStack.with(gatewayEnvironment: ["GATEWAY_WS_MAX_QUEUED": "10"]) { stack in
                let slow = LiveSocket(url: Self.socketURL(stack), key: stack.adminKey, readSlowly: true)
                defer { slow.close() }
                _ = try await slow.waitFor("hello") { $0["type"] as? String == "hello" }
                slow.send(["type": "subscribe", "all": true])
                slow.send(["type": "ping"])
                // The subscription is in place once the pong (sent after it) has arrived.
                _ = try await slow.waitFor("pong") { $0["type"] as? String == "pong" }
                try await stack.postHealthyHistory(machine: 1, count: 2000)
                try await stack.eventually("the slow client closed") { slow.closedWith != nil }
                #expect(slow.closedWith == 1013)
                // The gateway is unharmed: a new client connects.
                let fresh = LiveSocket(url: Self.socketURL(stack), key: stack.adminKey)
                defer { fresh.close() }
                _ = try await fresh.waitFor("hello") { $0["type"] as? String == "hello" }
            }
        }
    }
}
