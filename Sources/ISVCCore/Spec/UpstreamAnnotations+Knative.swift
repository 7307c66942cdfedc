/// The Knative keys on an InferenceService: KServe copies its annotations (less
/// `ServiceAnnotationDisallowedList`) onto each component's revision template, where Knative reads
/// them (Knative mode only; in Standard mode nothing reads them).
extension UpstreamAnnotations {
    static let autoscaling = "knative pkg/apis/autoscaling/v1alpha1/pa_lifecycle.go"

    static func knativeKey(
        _ key: String, reader: String = autoscaling, upstream: String, isvc: Treatment, sample: String,
        acts: @escaping @Sendable (String) -> Bool = { _ in true }
    ) -> Key {
        Key(key: key, reader: reader, upstream: upstream, isvc: isvc, modes: [.knative], component: true, sample: sample, acts: acts)
    }

    static let knative: [Key] =
        [
            knativeKey(
                "autoscaling.knative.dev/class", upstream: "the PodAutoscaler's class: kpa, or hpa (a HorizontalPodAutoscaler)",
                isvc: .honoured("the PodAutoscaler's class, the HPA class's HorizontalPodAutoscaler"), sample: "kpa.autoscaling.knative.dev"
            ),
            knativeKey(
                "autoscaling.knative.dev/metric", upstream: "what the autoscaler scales on (KServe sets it from scaleMetric)",
                isvc: .honoured("the PodAutoscaler's and HorizontalPodAutoscaler's metric"), sample: "concurrency"),
            knativeKey(
                "autoscaling.knative.dev/target", upstream: "the autoscaler's target per replica (KServe sets it from scaleTarget)",
                isvc: .honoured("the HorizontalPodAutoscaler's target; `isvc serve`'s KPA target"), sample: "10"),
            knativeKey(
                "autoscaling.knative.dev/min-scale", reader: "kserve pkg/constants/constants.go (ServiceAnnotationDisallowedList)",
                upstream: "dropped by KServe, which sets it from minReplicas",
                isvc: .honoured("dropped the same way, with a `kserve.scale-annotation` warning"), sample: "2"),
            knativeKey(
                "autoscaling.knative.dev/max-scale", reader: "kserve pkg/constants/constants.go (ServiceAnnotationDisallowedList)",
                upstream: "dropped by KServe, which sets it from maxReplicas",
                isvc: .honoured("dropped the same way, with a `kserve.scale-annotation` warning"), sample: "3"),
            knativeKey(
                "autoscaling.knative.dev/initial-scale", reader: "kserve pkg/controller/v1alpha1/utils/utils.go; knative deploy.go",
                upstream: "the revision's first replica count (KServe drops a value it cannot use)",
                isvc: .honoured("the revision Deployment's replicas; `isvc serve`'s first scale"), sample: "2"),
            knativeKey(
                "autoscaling.knative.dev/window", upstream: "the KPA's stable window; the HPA's stabilization windows",
                isvc: .honoured("the Metric's windows, the HorizontalPodAutoscaler's behavior; `isvc serve`'s KPA"), sample: "60s"),
            knativeKey(
                "autoscaling.knative.dev/panic-window-percentage", upstream: "the KPA's panic window, as a share of the stable one",
                isvc: .honoured("the Metric's panic window; `isvc serve`'s KPA"), sample: "20"),
            knativeKey(
                "autoscaling.knative.dev/panic-threshold-percentage", upstream: "the load (of the target) at which the KPA panics",
                isvc: .honoured("`isvc serve`'s KPA"), sample: "300"),
            knativeKey(
                "autoscaling.knative.dev/target-utilization-percentage", upstream: "the share of the target the KPA aims at",
                isvc: .honoured("`isvc serve`'s KPA"), sample: "80"),
            knativeKey(
                "autoscaling.knative.dev/target-burst-capacity", upstream: "the spare capacity the activator stays in the path for",
                isvc: .honoured("the Metric's scrape target, as config-autoscaler's target-burst-capacity"), sample: "-1"),
            knativeKey(
                "autoscaling.knative.dev/scale-to-zero-pod-retention-period",
                upstream: "how long the last replica stays after scaling to zero is decided",
                isvc: .honoured("`isvc serve`'s KPA"), sample: "30s"),
            knativeKey(
                "autoscaling.knative.dev/scale-down-delay", upstream: "how long a lower scale must hold before the KPA scales down",
                isvc: .notModelled("isvc serve's autoscaler scales down without this delay (the PodAutoscaler carries it)"), sample: "30s"),
            knativeKey(
                "autoscaling.knative.dev/activation-scale", upstream: "the replicas a revision scales to from zero",
                isvc: .notModelled("isvc serve scales from zero to one replica, not to this many (the PodAutoscaler carries it)"),
                sample: "3"),
            knativeKey(
                "autoscaling.knative.dev/metric-aggregation-algorithm",
                upstream: "linear or weighted-exponential averaging of the KPA's window",
                isvc: .notModelled("isvc serve's autoscaler averages its window linearly (the PodAutoscaler carries it)"),
                sample: "weighted-exponential", acts: { $0 != "linear" }),
            knativeKey(
                "autoscaling.knative.dev/minScale", upstream: "the older spelling of min-scale, read when min-scale is absent",
                isvc: .honoured("no effect: KServe always sets min-scale, which Knative reads first"), sample: "2"),
            knativeKey(
                "serving.knative.dev/progress-deadline", reader: "knative pkg/reconciler/revision/resources/deploy.go",
                upstream: "the revision Deployment's progressDeadlineSeconds", isvc: .honoured("the Deployment's progressDeadlineSeconds"),
                sample: "300s"),
            knativeKey(
                "serving.knative.dev/no-gc", reader: "knative pkg/reconciler/gc/gc.go",
                upstream: "\"true\": Knative's garbage collector keeps the revision; kept off its Deployment and pods",
                isvc: .honoured("kept off the Deployment and pods; isvc shows no revision old enough to be collected"), sample: "true"),
            knativeKey(
                "features.knative.dev/queueproxy-podinfo", reader: "knative pkg/reconciler/revision/resources/deploy.go",
                upstream: "\"enabled\" mounts pod info into the queue-proxy when config-features allows it",
                isvc: .honoured(
                    "no effect while config-features queueproxy.mount-podinfo is disabled, its default (isvc warns at that key)"),
                sample: "enabled"),
            knativeKey(
                "features.knative.dev/http-full-duplex", reader: "knative pkg/reconciler/revision/resources/queue.go",
                upstream: "\"Enabled\": the queue-proxy (and activator) serve HTTP/1 full duplex",
                isvc: .honoured("the queue-proxy's ENABLE_HTTP_FULL_DUPLEX"), sample: "Enabled"),
        ]
        + olderSpellings.map { old, key in
            knativeKey(
                "autoscaling.knative.dev/\(old)", upstream: "the older spelling of \(key), read when \(key) is absent",
                isvc: .notModelled(
                    "the older spelling of autoscaling.knative.dev/\(key), which Knative reads when that key is absent; isvc reads only that key"
                ),
                sample: samples[key] ?? "1")
        }
        + queueSidecar

    /// Knative's `kmap.KeyPriority` synonyms (`pkg/apis/autoscaling/register.go`) that KServe does not
    /// override (it always sets min-scale).
    static let olderSpellings: [(String, String)] = [
        ("maxScale", "max-scale"), ("initialScale", "initial-scale"), ("panicWindowPercentage", "panic-window-percentage"),
        ("panicThresholdPercentage", "panic-threshold-percentage"), ("scaleDownDelay", "scale-down-delay"),
        ("scaleToZeroPodRetentionPeriod", "scale-to-zero-pod-retention-period"), ("targetBurstCapacity", "target-burst-capacity"),
        ("targetUtilizationPercentage", "target-utilization-percentage"), ("metricAggregationAlgorithm", "metric-aggregation-algorithm"),
    ]

    static let samples = [
        "max-scale": "3", "initial-scale": "2", "panic-window-percentage": "20", "panic-threshold-percentage": "300",
        "scale-down-delay": "30s", "scale-to-zero-pod-retention-period": "30s", "target-burst-capacity": "-1",
        "target-utilization-percentage": "80", "metric-aggregation-algorithm": "linear",
    ]

    /// `queue.sidecar.serving.knative.dev/*` (`pkg/apis/serving/register.go`), read by `createQueueResources`.
    static let queueSidecar: [Key] =
        ["resource-percentage", "resourcePercentage"].map {
            knativeKey(
                "queue.sidecar.serving.knative.dev/\($0)", reader: "knative pkg/reconciler/revision/resources/queue.go",
                upstream: "the queue-proxy's cpu and memory as this percentage of the user container's (deprecated)",
                isvc: .notModelled(
                    "the queue-proxy's resources are config-deployment's; this share of the user container's is not computed"),
                sample: "20")
        }
        + ["cpu-resource-request", "cpu-resource-limit", "memory-resource-request", "memory-resource-limit"]
        .map { ($0, $0.hasPrefix("cpu") ? "500m" : "128Mi") }
        .map { name, sample in
            knativeKey(
                "queue.sidecar.serving.knative.dev/\(name)", reader: "knative pkg/reconciler/revision/resources/queue.go",
                upstream: "the queue-proxy's \(name.replacingOccurrences(of: "-resource-", with: " "))",
                isvc: .honoured("the queue-proxy's resources"), sample: sample)
        }
        + ["ephemeral-storage-resource-request", "ephemeral-storage-resource-limit"].map {
            knativeKey(
                "queue.sidecar.serving.knative.dev/\($0)", reader: "knative pkg/reconciler/revision/resources/queue.go",
                upstream: "the queue-proxy's \($0.replacingOccurrences(of: "-resource-", with: " "))",
                isvc: .honoured("the queue-proxy's resources"), sample: "1Gi")
        }
}
