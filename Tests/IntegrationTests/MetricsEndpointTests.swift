import Foundation
import PMProto
import PMRPC
import PMServices
import RPCTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Each service as a real process with `<NAME>_METRICS_PORT=0`: it announces its Prometheus endpoint
/// after its RPC address, and serves there what it has done.
@Suite("Prometheus metrics endpoint")
struct MetricsEndpointTests {
    static let token = "metrics-token"

    static func started(_ name: String) async throws -> ServiceProcess {
        let prefix = name.uppercased()
        let service = try ServiceProcess(
            executable: name, environment: ["\(prefix)_RPC_PORT": "0", "\(prefix)_METRICS_PORT": "0", "PM_RPC_TOKEN": token])
        try await service.start(announcements: 2)
        return service
    }

    /// GETs `path` from the service's metrics endpoint.
    static func get(_ path: String, from service: ServiceProcess) async throws -> (status: Int, contentType: String?, body: String) {
        let address = try #require(service.announced["metrics"])
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://\(address)\(path)")!)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type"), String(decoding: data, as: UTF8.self))
    }

    /// Polls `/metrics` until every line of `lines` is in it (the interceptor counts a call once its
    /// answer is on its way), then returns the text.
    static func metrics(of service: ServiceProcess, containing lines: [String]) async throws -> String {
        _ = try await eventually {
            let text = try await get("/metrics", from: service).body
            return lines.allSatisfy { text.contains($0) }
        }
        let metrics = try await get("/metrics", from: service)
        #expect(metrics.status == 200)
        #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
        for line in lines { #expect(metrics.body.contains(line), "\(line) is missing from\n\(metrics.body)") }
        return metrics.body
    }

    @Test("Ingest counts calls by method and status, times them in a histogram, and counts readings by outcome")
    func ingest() async throws {
        let service = try await Self.started("ingest")
        let ingest = IngestServiceClient(service.rpcClient(token: Self.token))
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        let readings = (0..<3).map { index in
            Reading(
                equipmentID: 1, timestampMs: start + Int64(index) * 1000,
                temperature: 70, vibration: 2, pressure: 100, powerConsumption: 15, efficiency: 90)
        }
        _ = try await ingest.recordReadings(RecordReadingsRequest(readings: readings))
        var unregistered = readings[0]
        unregistered.equipmentID = 999
        // One stored already, one for a machine that does not exist, then a call refused as a whole.
        let second = try await ingest.recordReadings(RecordReadingsRequest(readings: [readings[0], unregistered]))
        #expect(second.duplicates == 1 && second.rejected == 1)
        await expectRPCError(.invalidArgument) { _ = try await ingest.recordReadings(RecordReadingsRequest()) }
        await ingest.rpcClient.close()

        let method = #"method="/pm.v1.IngestService/RecordReadings""#
        let text = try await Self.metrics(
            of: service,
            containing: [
                "# TYPE rpc_server_calls_total counter\n",
                #"rpc_server_calls_total{\#(method),code="OK"} 2"# + "\n",
                #"rpc_server_calls_total{\#(method),code="INVALID_ARGUMENT"} 1"# + "\n",
                "# TYPE rpc_server_call_duration_seconds histogram\n",
                #"rpc_server_call_duration_seconds_bucket{\#(method),le="+Inf"} 3"# + "\n",
                #"rpc_server_call_duration_seconds_count{\#(method)} 3"# + "\n",
                #"pm_readings_ingested_total{outcome="accepted"} 3"# + "\n",
                #"pm_readings_ingested_total{outcome="duplicate"} 1"# + "\n",
                #"pm_readings_ingested_total{outcome="rejected"} 1"# + "\n",
            ])
        for bound in ["0.0005", "0.01", "10.0"] {
            #expect(text.contains(#"rpc_server_call_duration_seconds_bucket{\#(method),le="\#(bound)"} "#))
        }
        #expect(try await Self.get("/other", from: service).status == 404)
        #expect(try await service.terminate() == 0, "\(service.stderrText())")
    }

    @Test("every service serves its calls, and its worker's queue depth", arguments: ["ingest", "detection", "alerting", "scheduling"])
    func everyService(name: String) async throws {
        let service = try await Self.started(name)
        let client = service.rpcClient(token: Self.token)
        #expect(try await HealthClient(client).check().status == .serving)
        await client.close()
        let queues = ["detection": "detection_outbox", "alerting": "alerting_webhooks", "scheduling": "scheduling_task_effects"]
        _ = try await Self.metrics(
            of: service,
            containing: [#"rpc_server_calls_total{method="/pm.v1.Health/Check",code="OK"} 1"# + "\n"]
                + (queues[name].map { [#"pm_outbox_depth{queue="\#($0)"} 0.0"# + "\n"] } ?? []))
        #expect(try await service.terminate() == 0, "\(service.stderrText())")
    }
}
