import Metrics
import Prometheus

/// The process's metrics in Prometheus form: swift-metrics records into one registry, which ``render()``
/// writes out. Counters stay counters, gauges gauges, and every `Timer` becomes a histogram with
/// buckets from 0.5 ms to 10 s.
public enum PrometheusMetrics {
    /// `Content-Type` of what ``render()`` returns: the Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Upper bounds of the `Timer` histograms' buckets, for RPC calls: a fast call on loopback takes well
    /// under a millisecond, a slow one seconds.
    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    private static let registry = PrometheusCollectorRegistry()

    // A static's initialiser runs once per process, on whichever thread gets there first: swift-metrics
    // traps on a second bootstrap.
    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = latencyBuckets
        MetricsSystem.bootstrap(factory)
    }()

    /// Makes swift-metrics record into the registry. Only the first call in a process does anything, so
    /// every service (and a test running several) may call it; metrics made before it stay no-ops.
    public static func bootstrap() {
        bootstrapped
    }

    /// Every metric recorded since ``bootstrap()``, in the Prometheus text format (``contentType``).
    public static func render() -> [UInt8] {
        var text: [UInt8] = []
        registry.emit(into: &text)
        return text
    }
}
