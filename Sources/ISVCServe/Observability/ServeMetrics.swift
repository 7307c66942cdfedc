import Prometheus
import Synchronization

/// `isvc serve`'s Prometheus metrics, per workload (a revision or a Standard-mode Deployment),
/// served at `/metrics` on the admin port. Names follow Prometheus conventions with an `isvc_` prefix;
/// they mirror what Knative's activator and queue-proxy report (requests, latency, concurrency,
/// queue, replicas, cold starts).
public final class ServeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]
    static let coldStartBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    /// The per-request metrics, looked up once per label set (the registry's lookup was a
    /// measurable part of a request).
    private let requestCounters = Mutex<[String: Counter]>([:])
    private let latencies = Mutex<[String: DurationHistogram]>([:])
    private let inFlightGauges = Mutex<[String: Gauge]>([:])

    public init() {}

    static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "isvc", metricName: name, unitName: unit, helpText: help)
    }

    /// One answered request: its status code and time from arrival to the last byte of the answer.
    public func request(workload: String, code: Int, duration: Duration) {
        let key = "\(workload) \(code)"
        let counter = requestCounters.withLock { counters in
            if let c = counters[key] { return c }
            let c = registry.makeCounter(
                descriptor: Self.descriptor("requests", "total", "Requests answered, by workload and status code"),
                labels: [("workload", workload), ("code", String(code))])
            counters[key] = c
            return c
        }
        counter.increment()
        let histogram = latencies.withLock { histograms in
            if let h = histograms[workload] { return h }
            let h = registry.makeDurationHistogram(
                descriptor: Self.descriptor("request_duration", "seconds", "Request latency through the gateway"),
                labels: [("workload", workload)], buckets: Self.latencyBuckets)
            histograms[workload] = h
            return h
        }
        histogram.record(duration)
    }

    /// Requests in the gateway for a workload now (held by the activator, queued or at a replica).
    public func inFlight(workload: String) -> Gauge {
        inFlightGauges.withLock { gauges in
            if let g = gauges[workload] { return g }
            let g = registry.makeGauge(
                descriptor: Self.descriptor("requests_in_flight", "count", "Requests in flight per workload"),
                labels: [("workload", workload)])
            gauges[workload] = g
            return g
        }
    }

    /// What the autoscaler samples, ten times a second.
    public func sample(workload: String, queued: Int, replicas: Int, desired: Int) {
        registry.makeGauge(
            descriptor: Self.descriptor("queue_depth", "count", "Requests waiting in queue-proxies or held by the activator"),
            labels: [("workload", workload)]
        ).set(Double(queued))
        registry.makeGauge(
            descriptor: Self.descriptor("replicas", "count", "Ready replicas per workload"),
            labels: [("workload", workload)]
        ).set(Double(replicas))
        registry.makeGauge(
            descriptor: Self.descriptor("desired_replicas", "count", "Replicas the autoscaler wants per workload"),
            labels: [("workload", workload)]
        ).set(Double(desired))
    }

    public func coldStart(workload: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.descriptor("cold_start", "seconds", "Time from replica start to ready"),
            labels: [("workload", workload)], buckets: Self.coldStartBuckets
        ).record(duration)
    }

    /// An outlier ejection of an endpoint (replica) of an Envoy cluster, and its end.
    public func ejection(cluster: String, kind: String) {
        registry.makeCounter(
            descriptor: Self.descriptor("outlier_ejections", "total", "Replicas ejected by outlier detection, per cluster"),
            labels: [("cluster", cluster), ("kind", kind)]
        ).increment()
        registry.makeGauge(
            descriptor: Self.descriptor("outlier_ejected", "count", "Replicas ejected now, per cluster"),
            labels: [("cluster", cluster)]
        ).increment()
    }

    public func unejection(cluster: String) {
        registry.makeGauge(
            descriptor: Self.descriptor("outlier_ejected", "count", "Replicas ejected now, per cluster"),
            labels: [("cluster", cluster)]
        ).decrement()
    }

    /// A request refused by a cluster's circuit breakers (Envoy's `upstream_rq_pending_overflow`), or a retry they held back.
    public func overflow(cluster: String, what: String) {
        registry.makeCounter(
            descriptor: Self.descriptor("upstream_overflow", "total", "Requests or retries refused by circuit breakers"),
            labels: [("cluster", cluster), ("what", what)]
        ).increment()
    }

    /// A retry sent, per cluster.
    public func retry(cluster: String) {
        registry.makeCounter(
            descriptor: Self.descriptor("upstream_retries", "total", "Retries sent per cluster"),
            labels: [("cluster", cluster)]
        ).increment()
    }

    /// A CloudEvent of the agent's logger: sent (the sink answered 200), failed, or dropped (queue full).
    public func loggerEvent(workload: String, outcome: String) {
        registry.makeCounter(
            descriptor: Self.descriptor("logger_events", "total", "CloudEvents of the agent's request logger, by outcome"),
            labels: [("workload", workload), ("outcome", outcome)]
        ).increment()
    }

    /// A batch the agent's batcher sent to a replica, and how many instances it held.
    public func batch(workload: String, instances: Int, failed: Bool) {
        registry.makeCounter(
            descriptor: Self.descriptor("batcher_batches", "total", "Batches the agent's batcher sent, by outcome"),
            labels: [("workload", workload), ("outcome", failed ? "failed" : "answered")]
        ).increment()
        registry.makeCounter(
            descriptor: Self.descriptor("batcher_instances", "total", "Instances the agent's batcher sent in batches"),
            labels: [("workload", workload)]
        ).increment(by: Int64(instances))
    }

    /// One step an InferenceGraph's router sent: the host it called and its status ("error" when it
    /// failed before an answer).
    public func graphStep(workload: String, host: String, code: String) {
        registry.makeCounter(
            descriptor: Self.descriptor("graph_step_calls", "total", "Steps an InferenceGraph's router sent, by host and status"),
            labels: [("workload", workload), ("host", host), ("code", code)]
        ).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}
