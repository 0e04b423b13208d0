import Hummingbird
import ServiceKit

/// `GET /metrics`: the gateway's own metrics (HTTP requests by route and status, latency, WebSocket
/// clients, internal calls) in the Prometheus text format.
struct MetricsRoutes {
    func register(on router: Router<GatewayRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: PrometheusMetrics.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: PrometheusMetrics.render())))
        }
    }
}
