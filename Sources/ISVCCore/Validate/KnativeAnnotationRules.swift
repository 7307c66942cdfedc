/// Knative's validation of the `autoscaling.knative.dev/*` annotations that KServe copies onto each
/// component's revision template (`pkg/apis/autoscaling/annotation_validation.go`): a bad value makes
/// Knative reject the Knative Service KServe creates, so it is an error here.
struct KnativeAnnotationRules {
    let diagnostics: Diagnostics

    func check(_ annotations: [String: String], locations meta: ObjectMeta) {
        func fail(_ key: String, _ message: String) {
            diagnostics.error("\(message): \(key) (Knative rejects the revision template KServe builds)",
                              at: meta.location(ofAnnotation: key), rule: "knative.annotation")
        }
        let p = Keys.autoscalingPrefix
        let hpa = annotations[p + "class"] == "hpa.autoscaling.knative.dev"
        if let v = annotations[p + "metric"] {
            let allowed = hpa ? ["cpu", "memory"] : ["concurrency", "rps"]
            if !allowed.contains(v) { fail(p + "metric", "invalid value: \(v)") }
        }
        if let v = annotations[p + "window"] {
            if let s = Durations.seconds(v) {
                if s < 6 || s > 3600 { fail(p + "window", "expected 6s <= \(v) <= 1h0m0s") }
            } else {
                fail(p + "window", "invalid value: \(v)")
            }
        }
        if let v = annotations[p + "target-utilization-percentage"] {
            if let d = Double(v) {
                if d < 1 || d > 100 { fail(p + "target-utilization-percentage", "expected 1 <= \(v) <= 100") }
            } else {
                fail(p + "target-utilization-percentage", "invalid value: \(v)")
            }
        }
        if let v = annotations[p + "target"] {
            if let d = Double(v) {
                if d < 0.01 { fail(p + "target", "target \(v) should be at least 0.01") }
            } else {
                fail(p + "target", "invalid value: \(v)")
            }
        }
        if let v = annotations[p + "panic-window-percentage"] {
            if let d = Double(v) {
                if d < 1 || d > 100 { fail(p + "panic-window-percentage", "expected 1.0 <= \(v) <= 100.0") }
            } else {
                fail(p + "panic-window-percentage", "invalid value: \(v)")
            }
        }
        if let v = annotations[p + "panic-threshold-percentage"] {
            if let d = Double(v) {
                if d < 110 || d > 1000 { fail(p + "panic-threshold-percentage", "expected 110.0 <= \(v) <= 1000.0") }
            } else {
                fail(p + "panic-threshold-percentage", "invalid value: \(v)")
            }
        }
        if let v = annotations[p + "target-burst-capacity"] {
            if let d = Double(v) {
                if d < -1 { fail(p + "target-burst-capacity", "invalid value: \(v)") }
            } else {
                fail(p + "target-burst-capacity", "invalid value: \(v)")
            }
        }
    }
}
