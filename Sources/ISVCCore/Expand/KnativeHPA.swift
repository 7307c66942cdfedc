/// Knative's HPA class (`autoscaling.knative.dev/class: hpa.autoscaling.knative.dev`): the PodAutoscaler's
/// reconciler (`pkg/reconciler/autoscaling/hpa`) makes a HorizontalPodAutoscaler from it
/// (`hpa/resources/hpa.go`, `MakeHPA`) and a ServerlessService in Serve mode with no activators in
/// the path; it makes no Metric (only the KPA's reconciler does).
extension KnativeServing {
    static let hpaClass = "hpa.autoscaling.knative.dev"

    func usesHPA(_ rev: RevisionRef) -> Bool {
        podAutoscalerAnnotations(rev)[Keys.autoscalingClass] == Self.hpaClass
    }

    /// `MakeHPA`: the PA's name, labels and annotations, owned by the PA; bounds from `ScaleBounds`
    /// (max 0 means no limit: MaxInt32); the metric from the PA's metric and target annotations; the
    /// window annotation as both stabilization windows.
    func horizontalPodAutoscaler(_ rev: RevisionRef) -> Value {
        let annotations = podAutoscalerAnnotations(rev)
        // ScaleBounds: the annotation when it parses as an int32, else config-autoscaler's value.
        func bound(_ key: String, _ fallback: Int) -> Int {
            annotations[key].flatMap { Int32($0) }.map(Int.init) ?? fallback
        }
        let min = bound("autoscaling.knative.dev/min-scale", config.autoscaler.minScale)
        var max = bound("autoscaling.knative.dev/max-scale", config.autoscaler.maxScale)
        if max == 0 { max = Int(Int32.max) }
        var spec: [String: Value] = [
            "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(ChildName.make(rev.name, "-deployment"))],
            "maxReplicas": .int(max),
        ]
        if min > 0 { spec["minReplicas"] = .int(min) }
        // Target(): the annotation when it parses as a float (strconv.ParseFloat).
        if let text = annotations["autoscaling.knative.dev/target"], let target = Self.goFloat(text) {
            let metric = annotations[Keys.autoscalingMetric] ?? "cpu"
            switch metric {
            case "cpu":
                spec["metrics"] = [
                    [
                        "type": "Resource",
                        "resource": [
                            "name": "cpu",
                            "target": ["type": "Utilization", "averageUtilization": .int(Self.int32(target.rounded(.up)))],
                        ],
                    ]
                ]
            case "memory":
                let mebibytes = Self.int64(target)
                spec["metrics"] = [
                    [
                        "type": "Resource",
                        "resource": [
                            "name": "memory",
                            "target": ["type": "AverageValue", "averageValue": .string(Quantity.mebibytes(mebibytes))],
                        ],
                    ]
                ]
            default:
                spec["metrics"] = [
                    [
                        "type": "Pods",
                        "pods": [
                            "metric": ["name": .string(metric)],
                            "target": ["type": "AverageValue", "averageValue": .string(Quantity.decimal(Self.int64(target)))],
                        ],
                    ]
                ]
            }
        }
        // Window(): the annotation as a Go duration; int32(window.Seconds()) truncates.
        if let text = annotations["autoscaling.knative.dev/window"], case .nanoseconds(let ns) = Durations.parse(text) {
            let seconds = Value.int(Int(Int32(truncatingIfNeeded: ns / 1_000_000_000)))
            spec["behavior"] = [
                "scaleDown": ["stabilizationWindowSeconds": seconds],
                "scaleUp": ["stabilizationWindowSeconds": seconds],
            ]
        }
        return Meta.object(
            apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: rev.name,
            namespace: rev.namespace, labels: Self.childLabels(rev), annotations: annotations,
            owner: paOwner(rev), spec: .object(spec))
    }

    /// Go's strconv.ParseFloat for the texts a validated annotation can hold (NaN and infinities are
    /// refused by Knative's webhook before this point).
    static func goFloat(_ text: String) -> Double? {
        guard let d = Double(text), d.isFinite else { return nil }
        return d
    }

    /// Go's int32(f) and int64(f) conversions of an in-range float: truncation toward zero. Values out
    /// of range are saturated here (Go's result is implementation-defined; the webhook bounds targets).
    static func int32(_ f: Double) -> Int { Int(Swift.max(Double(Int32.min), Swift.min(Double(Int32.max), f.rounded(.towardZero)))) }
    static func int64(_ f: Double) -> Int64 {
        f >= 9.2e18 ? Int64.max : f <= -9.2e18 ? Int64.min : Int64(f.rounded(.towardZero))
    }
}

/// Kubernetes' canonical text of an integer `resource.Quantity` (`k8s.io/apimachinery/pkg/api/resource`).
enum Quantity {
    /// A BinarySI quantity of `mebibytes` Mi: the largest power-of-1024 suffix that divides it.
    static func mebibytes(_ value: Int64) -> String {
        scaled(value, by: 1024, suffixes: ["Mi", "Gi", "Ti", "Pi", "Ei"])
    }

    /// A DecimalSI quantity: the largest power-of-1000 suffix (k, M, G, T, P, E) that divides it.
    static func decimal(_ value: Int64) -> String {
        scaled(value, by: 1000, suffixes: ["", "k", "M", "G", "T", "P", "E"])
    }

    private static func scaled(_ value: Int64, by base: Int64, suffixes: [String]) -> String {
        if value == 0 { return "0" }
        var mantissa = value
        var exponent = 0
        while exponent < suffixes.count - 1, mantissa % base == 0 {
            mantissa /= base
            exponent += 1
        }
        return "\(mantissa)\(suffixes[exponent])"
    }
}
