import Foundation
import Testing

extension GatewaySystemTests {
    /// The public API's answers to good and bad requests, over real processes: one error shape, the right
    /// 4xx for each mistake, never a 500 and never a hang.
    @Suite("Gateway REST API", .serialized)
    struct GatewayAPITests {
        struct BadRequest: Sendable, CustomStringConvertible {
            let method: String
            let path: String
            let body: Data?
            let contentType: String?
            let status: Int
            let code: String
            let field: String?
            var description: String { "\(method) \(path)" }

            init(
                _ method: String, _ path: String, json: String? = nil, body: Data? = nil, contentType: String? = "application/json",
                _ status: Int, _ code: String, field: String? = nil
            ) {
                self.method = method
                self.path = path
                self.body = json.map { Data($0.utf8) } ?? body
                self.contentType = contentType
                self.status = status
                self.code = code
                self.field = field
            }
        }

        static let reading =
            #"{"equipment_id":1,"temperature":75.5,"vibration":3.2,"pressure":120.0,"power_consumption":85.0,"efficiency":92.0}"#

        static var badRequests: [BadRequest] {
            let oversized = Data(("{\"equipment_id\":1,\"notes\":\"" + String(repeating: "x", count: 70_000) + "\"}").utf8)
            let tooManyRows = "[" + Array(repeating: reading, count: 10_001).joined(separator: ",") + "]"
            return [
                BadRequest("POST", "/api/sensor-data", json: "{not json", 400, "invalid_argument"),
                BadRequest("POST", "/api/sensor-data", json: #"{"equipment_id":1,"temperature":NaN}"#, 400, "invalid_argument"),
                BadRequest(
                    "POST", "/api/sensor-data", json: reading.replacingOccurrences(of: "75.5", with: "\"hot\""), 400, "invalid_argument",
                    field: "temperature"),
                BadRequest(
                    "POST", "/api/sensor-data", json: #"{"equipment_id":1,"temperature":70}"#, 400, "invalid_argument", field: "vibration"),
                BadRequest(
                    "POST", "/api/sensor-data", json: reading.replacingOccurrences(of: "75.5", with: "1e999"), 400, "invalid_argument"),
                BadRequest(
                    "POST", "/api/sensor-data", json: reading.replacingOccurrences(of: "75.5", with: "7000"), 422, "invalid_argument",
                    field: "temperature"),
                BadRequest(
                    "POST", "/api/sensor-data", json: reading.replacingOccurrences(of: "\"equipment_id\":1", with: "\"equipment_id\":999"),
                    404,
                    "not_found", field: "equipment_id"),
                BadRequest(
                    "POST", "/api/sensor-data", json: reading.replacingOccurrences(of: "}", with: ",\"timestamp\":\"yesterday\"}"), 400,
                    "invalid_argument", field: "timestamp"),
                BadRequest("POST", "/api/sensor-data", json: reading, contentType: "text/plain", 415, "unsupported_media_type"),
                BadRequest("POST", "/api/sensor-data", body: oversized, 413, "payload_too_large"),
                BadRequest("POST", "/api/sensor-data", json: "", 400, "invalid_argument"),
                BadRequest("POST", "/api/sensor-data/batch", json: tooManyRows, 413, "payload_too_large"),
                BadRequest("POST", "/api/sensor-data/batch", json: "[]", 400, "invalid_argument"),
                BadRequest(
                    "POST", "/api/sensor-data/batch", json: "equipment_id,temperature\n1,70\n", contentType: "text/csv", 400,
                    "invalid_argument"
                ),
                BadRequest("GET", "/api/equipment/999", 404, "not_found"),
                BadRequest("GET", "/api/equipment/abc", 400, "invalid_argument", field: "id"),
                BadRequest("GET", "/api/equipment/-1/readings", 400, "invalid_argument", field: "id"),
                BadRequest("GET", "/api/equipment/1/readings?buckets=0", 400, "invalid_argument", field: "buckets"),
                BadRequest("GET", "/api/equipment/1/readings?from=2026-12-02&to=2026-12-01", 400, "invalid_argument", field: "from"),
                BadRequest("GET", "/api/equipment?status=broken", 400, "invalid_argument", field: "status"),
                BadRequest("GET", "/api/alerts?limit=0", 400, "invalid_argument", field: "limit"),
                BadRequest("GET", "/api/alerts?limit=abc", 400, "invalid_argument", field: "limit"),
                BadRequest("GET", "/api/alerts?acknowledged=maybe", 400, "invalid_argument", field: "acknowledged"),
                BadRequest("POST", "/api/alerts/424242/acknowledge", 404, "not_found"),
                BadRequest("POST", "/api/alerts/1/acknowledge", json: "{\"note\":", 400, "invalid_argument"),
                BadRequest(
                    "POST", "/api/maintenance", json: #"{"equipment_id":1,"task":"x","scheduled_date":"2024-02-30"}"#, 422,
                    "invalid_argument",
                    field: "scheduled_date"),
                BadRequest(
                    "POST", "/api/maintenance", json: #"{"equipment_id":1,"task":"x","scheduled_date":"2024-12-20","priority":"urgent"}"#,
                    400,
                    "invalid_argument", field: "priority"),
                BadRequest(
                    "POST", "/api/maintenance", json: #"{"equipment_id":999,"task":"x","scheduled_date":"2024-12-20"}"#, 404, "not_found"),
                BadRequest("POST", "/api/maintenance/424242/complete", 404, "not_found"),
                BadRequest("GET", "/api/maintenance?from=soon", 400, "invalid_argument", field: "from"),
                BadRequest("POST", "/api/silences", json: #"{"equipment_id":1}"#, 400, "invalid_argument", field: "ends_at"),
                BadRequest(
                    "POST", "/api/preventive-rules", json: #"{"equipment_id":1,"task":"Oil","interval_days":-3}"#, 400, "invalid_argument",
                    field: "interval_days"),
                BadRequest("GET", "/api/no-such-thing", 404, "not_found"),
            ]
        }

        @Test("every mistake gets its 4xx, the error shape, and the field it is about")
        func badRequests() async throws {
            try await SystemStack.with { stack in
                for bad in Self.badRequests {
                    let result = try await stack.request(
                        .init(rawValue: bad.method), bad.path, body: bad.body ?? Data(), contentType: bad.contentType)
                    #expect(result.status == bad.status, "\(bad): \(result.status) \(result.text.prefix(300))")
                    let error = result.object["error"] as? [String: Any]
                    #expect(error != nil && error!.keys.sorted() == ["code", "field", "message"], "\(bad): \(result.text.prefix(300))")
                    #expect(result.error.code == bad.code, "\(bad): \(result.text.prefix(300))")
                    if let field = bad.field { #expect(result.error.field == field, "\(bad): \(result.text.prefix(300))") }
                    #expect(result.header("Content-Type")?.hasPrefix("application/json") == true, "\(bad)")
                }
                // The gateway is still serving.
                #expect(try await stack.request(.GET, "/api/equipment").status == 200)
            }
        }

        @Test("the seed's calls work as the seed's clients expect, and the extras around them")
        func seedFlows() async throws {
            try await SystemStack.with { stack in
                let machines = try await stack.request(.GET, "/api/equipment").array
                #expect(machines.count == 6)
                #expect(
                    Set(machines[0].keys).isSuperset(of: [
                        "id", "name", "type", "location", "install_date", "last_maintenance", "status", "latest_reading",
                    ]))

                let posted = try await stack.request(
                    .POST, "/api/sensor-data", body: Data(Self.reading.utf8), contentType: "application/json")
                #expect(posted.status == 200, "\(posted.text)")
                #expect(posted.object["status"] as? String == "ok")
                #expect(posted.object["anomaly"] as? Bool == false)
                #expect(posted.object["model"] as? String == "insufficient_data")
                let latest =
                    try await stack.request(.GET, "/api/equipment").array.first { $0["id"] as? Int == 1 }?["latest_reading"]
                    as? [String: Any]
                #expect(latest?["temperature"] as? Double == 75.5)

                // A retried reading with the same id is stored once.
                let keyed = Self.reading.replacingOccurrences(
                    of: "}", with: ",\"reading_id\":\"r-1\",\"timestamp\":\"2026-12-01T10:00:00Z\"}")
                _ = try await stack.request(.POST, "/api/sensor-data", body: Data(keyed.utf8), contentType: "application/json")
                let again = try await stack.request(.POST, "/api/sensor-data", body: Data(keyed.utf8), contentType: "application/json")
                #expect(again.object["duplicate"] as? Bool == true)

                // CSV batch, then the history in buckets.
                let csv =
                    "equipment_id,timestamp,temperature,vibration,pressure,power_consumption,efficiency\n"
                    + (0..<120).map {
                        "2,2026-12-01T10:\(String(format: "%02d", $0 / 60)):\(String(format: "%02d", $0 % 60))Z,70,2.5,100,80,92"
                    }
                    .joined(separator: "\n")
                let batch = try await stack.request(.POST, "/api/sensor-data/batch", body: Data(csv.utf8), contentType: "text/csv")
                #expect(batch.object["accepted"] as? Int == 120, "\(batch.text)")
                let history = try await stack.request(
                    .GET, "/api/equipment/2/readings?from=2026-12-01T10:00:00Z&to=2026-12-01T10:02:00Z&buckets=4"
                ).object
                let buckets = history["buckets"] as? [[String: Any]] ?? []
                #expect(buckets.count == 4)
                #expect(buckets.map { $0["count"] as? Int ?? 0 }.reduce(0, +) == 120)
                let raw = try await stack.request(.GET, "/api/equipment/2/readings?from=2026-12-01T10:00:00Z&limit=10").object
                let readings = raw["readings"] as? [[String: Any]] ?? []
                #expect(readings.count == 10)
                #expect((readings.first?["timestamp"] as? String ?? "") < (readings.last?["timestamp"] as? String ?? ""))

                // Maintenance: the seed's create and list, then the lifecycle.
                let created = try await stack.request(
                    .POST, "/api/maintenance",
                    json: ["equipment_id": 1, "task": "Replace hydraulic seals", "scheduled_date": "2024-12-20", "priority": "high"])
                #expect(created.object["status"] as? String == "created", "\(created.text)")
                let taskID = try #require(created.object["id"] as? Int)
                let listed = try await stack.request(.GET, "/api/maintenance").array
                #expect(
                    listed.contains { $0["id"] as? Int == taskID && $0["equipment_name"] is String && $0["priority"] as? String == "high" })
                #expect(
                    try await stack.request(.PATCH, "/api/maintenance/\(taskID)", json: ["notes": "bring the seal kit"]).object["notes"]
                        as? String == "bring the seal kit")
                #expect(try await stack.request(.POST, "/api/maintenance/\(taskID)/cancel").object["status"] as? String == "cancelled")
                let again409 = try await stack.request(.POST, "/api/maintenance/\(taskID)/start")
                #expect(again409.status == 409 && again409.error.code == "conflict", "\(again409.text)")

                // Equipment create and update; names are text, never markup.
                let machine = try await stack.request(
                    .POST, "/api/equipment", json: ["name": "<img src=x onerror=alert(1)>", "type": "pump"])
                #expect(machine.status == 201, "\(machine.text)")
                let machineID = try #require(machine.object["id"] as? Int)
                let renamed = try await stack.request(.PATCH, "/api/equipment/\(machineID)", json: ["location": "Basement"])
                #expect(renamed.object["location"] as? String == "Basement")

                // Silences and preventive rules.
                let silence = try await stack.request(
                    .POST, "/api/silences", json: ["equipment_id": 1, "duration_minutes": 30, "reason": "calibration"])
                #expect(silence.status == 201, "\(silence.text)")
                let silenceID = try #require(silence.object["id"] as? Int)
                #expect(try await stack.request(.GET, "/api/silences").array.contains { $0["id"] as? Int == silenceID })
                #expect(try await stack.request(.DELETE, "/api/silences/\(silenceID)").status == 204)
                let rule = try await stack.request(
                    .POST, "/api/preventive-rules", json: ["equipment_type": "pump", "task": "Grease bearings", "interval_days": 30])
                #expect(rule.status == 201, "\(rule.text)")

                let stats = try await stack.request(.GET, "/api/dashboard-stats").object
                #expect(stats["total_equipment"] as? Int == 7)
                #expect((stats["readings_24h"] as? Int ?? 0) >= 1)
                #expect((stats["unavailable"] as? [Any])?.isEmpty == true, "\(stats)")

                let health = try await stack.request(.GET, "/health")
                #expect(health.status == 200, "\(health.text)")
                let metrics = try await stack.request(.GET, "/metrics").text
                #expect(metrics.contains("hb_requests"))
                #expect(
                    metrics.contains(#"rpc_client_calls_total{method="/pm.v1.IngestService/RecordReadings",code="OK"}"#),
                    "\(metrics.prefix(3000))")
                #expect(metrics.contains("rpc_client_call_duration_seconds_bucket"))
            }
        }
    }
}
