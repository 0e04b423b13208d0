import Foundation
import PMMath
import ProcessTestSupport
import Testing

extension GatewaySystemTests {
    /// The path from a reading to a person, over real processes: readings posted through REST, the alert
    /// on the WebSocket, the task in /api/maintenance, and completing it through REST.
    @Suite("Gateway end to end", .serialized)
    struct GatewayEndToEndTests {
        @Test("readings -> alert on the WebSocket -> task -> completed: machine healthy, last_maintenance today, alert resolved")
        func readingToResolvedAlert() async throws {
            try await SystemStack.with { stack in
                let socket = LiveSocket(url: stack.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws", key: stack.adminKey)
                defer { socket.close() }
                let hello = try await socket.waitFor("hello", limit: .seconds(120)) { $0["type"] as? String == "hello" }
                #expect(hello["heartbeat_seconds"] as? Int == 15)
                socket.send(["type": "subscribe", "equipment_ids": [3]])

                // Machine 3 belongs to the second Detection replica (3 % 2 == 1).
                try await stack.postHealthyHistory(machine: 3, count: 150)
                _ = try await socket.waitFor("live reading of machine 3") { message in
                    message["type"] as? String == "reading" && (message["reading"] as? [String: Any])?["equipment_id"] as? Int == 3
                }
                var alert: [String: Any]?
                let deadline = ContinuousClock.now + .seconds(120)
                while alert == nil, ContinuousClock.now < deadline {
                    let posted = try await stack.request(.POST, "/api/sensor-data", json: SystemStack.anomalousReading(machine: 3))
                    #expect(posted.status == 200, "\(posted.text)")
                    alert =
                        socket.messages(ofType: "alert").first { message in
                            message["event"] as? String == "raised" && (message["alert"] as? [String: Any])?["equipment_id"] as? Int == 3
                        }?["alert"] as? [String: Any]
                    try await Task.sleep(for: .milliseconds(300))
                }
                let raised = try #require(alert, "no alert for machine 3 arrived on the WebSocket")
                let alertID = try #require(raised["id"] as? Int)
                #expect((raised["kind"] as? String)?.hasPrefix("anomaly:") == true)

                var taskID: Int?
                try await stack.eventually("a task from alert \(alertID)") {
                    let tasks = try await stack.request(.GET, "/api/maintenance?equipment_id=3").array
                    taskID = tasks.first { $0["alert_id"] as? Int == alertID }?["id"] as? Int
                    return taskID != nil
                }
                let task = try #require(taskID)
                // An operator's key does the work; its name is who the services record, never the body.
                let shift = try await GatewayAccessTests.createKey(stack, role: "operator", name: "night-shift").key
                let acknowledged = try await stack.request(
                    .POST, "/api/alerts/\(alertID)/acknowledge", json: ["note": "on it", "by": "someone-else"], as: .key(shift))
                let acknowledgedAlert = acknowledged.object["alert"] as? [String: Any]
                #expect(
                    acknowledged.status == 200 && acknowledgedAlert?["acknowledged_by"] as? String == "night-shift", "\(acknowledged.text)")
                let started = try await stack.request(.POST, "/api/maintenance/\(task)/start", as: .key(shift))
                #expect(started.status == 200 && started.object["status"] as? String == "in_progress", "\(started.text)")
                #expect(started.object["started_by"] as? String == "night-shift")
                let completed = try await stack.request(
                    .POST, "/api/maintenance/\(task)/complete", json: ["note": "bearing replaced"], as: .key(shift))
                #expect(completed.status == 200 && completed.object["status"] as? String == "completed", "\(completed.text)")
                #expect(
                    completed.object["completed_by"] as? String == "night-shift"
                        && completed.object["started_by"] as? String == "night-shift")

                let today = UTCDate.of(ms: Int64(Date().timeIntervalSince1970 * 1000))
                try await stack.eventually("machine 3 healthy with last_maintenance \(today)") {
                    let machine = try await stack.request(.GET, "/api/equipment/3").object
                    return machine["status"] as? String == "healthy" && machine["last_maintenance"] as? String == today
                }
                try await stack.eventually("alert \(alertID) resolved") {
                    try await stack.request(.GET, "/api/alerts/\(alertID)").object["state"] as? String == "resolved"
                }
                _ = try await socket.waitFor("the resolution on the WebSocket") { message in
                    message["type"] as? String == "alert" && message["event"] as? String == "resolved"
                        && (message["alert"] as? [String: Any])?["id"] as? Int == alertID
                }
                _ = try await socket.waitFor("a status update of machine 3") { message in
                    message["type"] as? String == "status_update" && message["equipment_id"] as? Int == 3
                }
            }
        }
    }
}
