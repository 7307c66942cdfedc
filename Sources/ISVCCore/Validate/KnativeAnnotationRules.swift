/// Knative's validation of the `autoscaling.knative.dev/*` annotations that KServe copies onto each
/// component's revision template (`pkg/apis/autoscaling/annotation_validation.go`): a bad value makes
/// Knative reject the Knative Service KServe creates, so it is an error here. Durations are Go
/// `time.Duration`s (int64 nanoseconds): a longer one fails Go's parser, so Knative calls it invalid.
struct KnativeAnnotationRules {
    let diagnostics: Diagnostics
    /// config-autoscaler's `pod-autoscaler-class`, the class when the annotation names none.
    var defaultClass = "kpa.autoscaling.knative.dev"

    /// One hour, Knative's `WindowMax`, in nanoseconds.
    static let windowMax: Int64 = 3_600_000_000_000
    static let second: Int64 = 1_000_000_000

    func check(_ annotations: [String: String], locations meta: ObjectMeta) {
        check(annotations) { meta.location(ofAnnotation: $0) }
    }

    func check(_ annotations: [String: String], location: @escaping (String) -> SourceLocation) {
        let reader = AnnotationReader(annotations: annotations, location: location, diagnostics: diagnostics)
        checkMetric(reader)
        checkWindows(reader)
        checkNumbers(reader)
        checkProgressDeadline(reader)
        checkQueueResources(reader)
        checkNetworking(reader)
    }

    /// Reads autoscaling annotations as Knative's webhook parses them, reporting a value that does not parse.
    struct AnnotationReader {
        let annotations: [String: String]
        let location: (String) -> SourceLocation
        let diagnostics: Diagnostics

        func fail(_ key: String, _ message: String) {
            diagnostics.report(
                "\(message): \(key) (Knative rejects the revision template KServe builds)",
                at: location(key), rule: KnativeRule.annotation)
        }

        /// A Go duration, or nil after reporting why it is none.
        func duration(_ key: String) -> (text: String, nanos: Int64)? {
            guard let v = annotations[key] else { return nil }
            switch Durations.parse(v) {
            case .nanoseconds(let n): return (v, n)
            case .invalid: fail(key, "invalid value: \(v)")
            case .tooLong: fail(key, "invalid value: \(v) (longer than the \(Durations.maxGoDuration) a Go time.Duration holds)")
            }
            return nil
        }

        /// A number as Go's strconv.ParseFloat reads it (NaN and Inf included; the range checks
        /// reject NaN, which Knative's own comparisons let through into a meaningless window).
        func number(_ key: String) -> (text: String, value: Double)? {
            guard let v = annotations[key] else { return nil }
            guard let d = Double(v) else {
                fail(key, "invalid value: \(v)")
                return nil
            }
            return (v, d)
        }
    }

    /// validateMetric: the KPA takes concurrency and rps; the HPA class any metric but an empty
    /// one (cpu, memory, or a custom metric its adapter serves); other classes are left alone.
    func checkMetric(_ r: AnnotationReader) {
        let p = Keys.autoscalingPrefix
        guard let v = r.annotations[p + "metric"] else { return }
        switch r.annotations[p + "class"] ?? defaultClass {
        case "kpa.autoscaling.knative.dev":
            if v != "concurrency" && v != "rps" { r.fail(p + "metric", "invalid value: \(v)") }
        case "hpa.autoscaling.knative.dev":
            if v.isEmpty { r.fail(p + "metric", "invalid value: \(v)") }
        default:
            break
        }
    }

    func checkWindows(_ r: AnnotationReader) {
        let p = Keys.autoscalingPrefix
        if let (v, n) = r.duration(p + "window") {
            if n < 6 * Self.second || n > Self.windowMax {
                r.fail(p + "window", "expected 6s <= \(v) <= 1h0m0s")
            } else if n % Self.second != 0 {
                r.fail(p + "window", "must be specified with at most second precision")
            }
        }
        if let (v, n) = r.duration(p + "scale-to-zero-pod-retention-period"), n < 0 || n > Self.windowMax {
            r.fail(p + "scale-to-zero-pod-retention-period", "expected 0s <= \(v) <= 1h0m0s")
        }
        if let (v, n) = r.duration(p + "scale-down-delay") {
            if n < 0 || n > Self.windowMax {
                r.fail(p + "scale-down-delay", "expected 0s <= \(v) <= 1h0m0s")
            } else if n % Self.second != 0 {
                r.fail(p + "scale-down-delay", "must be specified with at most second precision")
            }
        }
    }

    func checkNumbers(_ r: AnnotationReader) {
        let p = Keys.autoscalingPrefix
        if let (v, d) = r.number(p + "target-utilization-percentage"), !(d >= 1 && d <= 100) {
            r.fail(p + "target-utilization-percentage", "expected 1 <= \(v) <= 100")
        }
        if let (v, d) = r.number(p + "target"), !(d >= 0.01) {
            r.fail(p + "target", "target \(v) should be at least 0.01")
        }
        if let (v, d) = r.number(p + "panic-window-percentage"), !(d >= 1 && d <= 100) {
            r.fail(p + "panic-window-percentage", "expected 1.0 <= \(v) <= 100.0")
        }
        if let (v, d) = r.number(p + "panic-threshold-percentage"), !(d >= 110 && d <= 1000) {
            r.fail(p + "panic-threshold-percentage", "expected 110.0 <= \(v) <= 1000.0")
        }
        if let (v, d) = r.number(p + "target-burst-capacity"), d.isNaN || (d < 0 && d != -1) {
            r.fail(p + "target-burst-capacity", "invalid value: \(v)")
        }
    }

    /// `validateQueueSidecarResourceAnnotations`: each queue-proxy resource annotation is a quantity.
    func checkQueueResources(_ r: AnnotationReader) {
        for (name, _) in KnativeDeployment.queueResourceAnnotations {
            let key = "queue.sidecar.serving.knative.dev/" + name
            if let v = r.annotations[key], Quantities.canonical(v) == nil { r.fail(key, "invalid value: \(v)") }
        }
    }

    /// knative.dev/networking's `ValidateAnnotations`: of the `networking.knative.dev` keys only the
    /// Route's own are allowed on a revision template (where they change nothing).
    func checkNetworking(_ r: AnnotationReader) {
        for key in r.annotations.keys.sorted() where key.hasPrefix("networking.knative.dev") && !Self.networkingAllowed.contains(key) {
            r.fail(key, key == Keys.visibility ? "invalid key name (visibility is a label, not an annotation)" : "invalid key name")
        }
    }

    static let networkingAllowed: Set<String> = [
        "networking.knative.dev/ingress.class", "networking.knative.dev/certificate.class", "networking.knative.dev/disableAutoTLS",
        "networking.knative.dev/disable-external-domain-tls", "networking.knative.dev/httpOption",
        "networking.knative.dev/ingress-class", "networking.knative.dev/certificate-class", "networking.knative.dev/disable-auto-tls",
        "networking.knative.dev/http-protocol",
    ]

    /// serving.knative.dev/progress-deadline: a Go duration, positive, whole seconds; the revision's
    /// Deployment gets it as progressDeadlineSeconds, an int32.
    func checkProgressDeadline(_ r: AnnotationReader) {
        let pd = Keys.knProgressDeadline
        guard let (v, n) = r.duration(pd) else { return }
        if n <= 0 {
            r.fail(pd, "progress-deadline=\(v) must be positive")
        } else if n % Self.second != 0 {
            r.fail(pd, "progress-deadline=\(v) is not at second precision")
        } else if n / Self.second > Int64(Int32.max) {
            diagnostics.report(
                "\(pd): \(v) is longer than 596523h14m7s: Knative copies it to the Deployment's progressDeadlineSeconds, which Kubernetes holds in an int32 (at most 2147483647)",
                at: r.location(pd), rule: KnativeRule.annotation)
        }
    }
}
