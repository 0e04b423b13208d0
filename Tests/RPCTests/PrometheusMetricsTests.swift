import Metrics
import ServiceKit
import Testing

@Suite("Prometheus metrics")
struct PrometheusMetricsTests {
    @Test("bootstrapping from many tasks at once is safe; counters render as counters, timers as histograms in seconds")
    func bootstrapAndRender() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { PrometheusMetrics.bootstrap() } }
        }
        Counter(label: "pm_test_bootstrap_total", dimensions: [("kind", "test")]).increment(by: 2)
        Metrics.Timer(label: "pm_test_duration_seconds").record(duration: .milliseconds(3))
        let text = String(decoding: PrometheusMetrics.render(), as: UTF8.self)
        #expect(text.contains("# TYPE pm_test_bootstrap_total counter\npm_test_bootstrap_total{kind=\"test\"} 2\n"))
        #expect(text.contains("# TYPE pm_test_duration_seconds histogram\n"))
        #expect(text.contains("pm_test_duration_seconds_bucket{le=\"0.0005\"} 0\n"))
        #expect(text.contains("pm_test_duration_seconds_bucket{le=\"0.0025\"} 0\n"))
        #expect(text.contains("pm_test_duration_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("pm_test_duration_seconds_bucket{le=\"10.0\"} 1\n"))
        #expect(text.contains("pm_test_duration_seconds_count 1\n"))
    }
}
