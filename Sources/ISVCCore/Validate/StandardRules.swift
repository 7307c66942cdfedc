/// Standard (RawDeployment) mode's webhook rules: autoscaling by class and `spec.canary`.
extension WebhookRules {
    /// Standard mode's autoscaling checks (`validateScalingHPACompExtension`, `...Keda...`): only with an
    /// explicit autoscalerClass annotation, as KServe has it.
    func checkStandardScaling(_ ext: ComponentExtension, component: String, isvc: InferenceService) {
        let cls = isvc.meta.annotations[Keys.autoscalerClass]
        if cls == "hpa" {
            let metric = ext.scaleMetric?.value ?? "cpu"
            if metric != "cpu" && metric != "memory" {
                diagnostics.report("[\(metric)] is not a supported metric", at: ext.scaleMetric!.location, rule: KServeRule.scaleMetric)
            }
            if let t = ext.scaleTarget {
                // KServe's condition is (cpu && target < 1) || target > 100 (Go precedence), so a memory
                // target over 100 gets the cpu message too.
                if (metric == "cpu" && t.value < 1) || t.value > 100 {
                    diagnostics.report(
                        "the target utilization percentage should be a [1-100] integer", at: t.location, rule: KServeRule.scaleTarget)
                } else if metric == "memory", t.value < 1 {
                    diagnostics.report("the target memory should be greater than 1 MiB", at: t.location, rule: KServeRule.scaleTarget)
                }
            }
            for (i, m) in (ext.autoScaling?.value["metrics"]?.array ?? []).enumerated() where m["type"]?.string != "Resource" {
                diagnostics.report(
                    "invalid HPA metric source type with value [\(m["type"]?.string ?? "")],valid metric source types are Resource",
                    at: ext.autoScaling!.location, rule: KServeRule.autoscalingMetric)
                _ = i
            }
        } else if cls == "keda" {
            if let m = ext.scaleMetric {
                diagnostics.report("ScaleMetric is not supported for KEDA", at: m.location, rule: KServeRule.scaleMetric)
            }
            for m in ext.autoScaling?.value["metrics"]?.array ?? [] {
                let at = ext.autoScaling!.location
                switch m["type"]?.string {
                case "Resource":
                    guard let r = m["resource"] else {
                        diagnostics.report(
                            "metricSpec.Resource is not set for resource metric source type", at: at, rule: KServeRule.autoscalingMetric)
                        continue
                    }
                    let type = r[path: ["target", "type"]]?.string
                    if r["name"]?.string == "cpu", type != "Utilization" {
                        diagnostics.report("the cpu target value type should be Utilization", at: at, rule: KServeRule.autoscalingMetric)
                    } else if r["name"]?.string == "memory", type != "AverageValue", type != "Utilization" {
                        diagnostics.report(
                            "the memory target value type should be AverageValue or Utilization", at: at, rule: KServeRule.autoscalingMetric
                        )
                    } else if let name = r["name"]?.string, name != "cpu", name != "memory" {
                        diagnostics.report("resource type \(name) is not supported", at: at, rule: KServeRule.autoscalingMetric)
                    }
                case "External":
                    if m["external"] == nil {
                        diagnostics.report(
                            "metricSpec.External is not set for external metric source type", at: at, rule: KServeRule.autoscalingMetric)
                    } else if (m[path: ["external", "metric", "query"]]?.string ?? "").isEmpty {
                        diagnostics.report("the query should not be empty", at: at, rule: KServeRule.autoscalingMetric)
                    } else if m[path: ["external", "target", "value"]] == nil {
                        diagnostics.report("the target threshold value should not be empty", at: at, rule: KServeRule.autoscalingMetric)
                    }
                case "PodMetric":
                    if m["podmetric"] == nil {
                        diagnostics.report(
                            "metricSpec.PodMetric is not set for pod metric source type", at: at, rule: KServeRule.autoscalingMetric)
                    }
                default:
                    diagnostics.report(
                        "unknown KEDA metric type with value [\(m["type"]?.string ?? "")].Valid types are Resource,External,PodMetric",
                        at: at, rule: KServeRule.autoscalingMetric)
                }
            }
        }
        // A gap users hit: an HPA cannot scale to zero, so minReplicas 0 means one pod (KServe issues 3514, 6001).
        if let min = ext.minReplicas, min.value == 0, cls == nil || cls == "hpa" {
            diagnostics.report(
                "minReplicas 0 does not scale the \(component) to zero in Standard mode: KServe's HorizontalPodAutoscaler keeps at least 1 replica; use serving.kserve.io/autoscalerClass: keda (scales to zero) or none (fixed replicas)",
                at: min.location, rule: KServeRule.standardScaleToZero)
        }
    }

    /// `validateCanarySpecs`, with KServe's messages.
    func checkCanaries(_ isvc: InferenceService) {
        let stableHasModel = isvc.predictor.model != nil
        if !stableHasModel {
            diagnostics.report(
                "canary requires a stable predictor with a model (multi-model serving is not supported with canary)",
                at: isvc.canaryLocation ?? isvc.location, rule: KServeRule.canary)
        }
        var names: Set<String> = []
        var sum = 0
        let stableMin = isvc.predictor.ext.minReplicas?.value ?? 1
        for (i, c) in isvc.canaries.enumerated() {
            guard let name = c.predictor.name else {
                diagnostics.report("canary[\(i)] predictor.name is required", at: c.location, rule: KServeRule.canary)
                continue
            }
            if !names.insert(name.value).inserted {
                diagnostics.report("canary predictor.name \"\(name.value)\" is duplicated", at: name.location, rule: KServeRule.canary)
            }
            if name.value == isvc.predictor.name?.value {
                diagnostics.report(
                    "canary predictor.name \"\(name.value)\" conflicts with stable predictor name", at: name.location,
                    rule: KServeRule.canary)
            }
            let pct = c.trafficPercent?.value ?? 0
            if pct < 0 || pct > 100 {
                diagnostics.report(
                    "canary \"\(name.value)\" trafficPercent must be between 0 and 100, got \(pct)",
                    at: c.trafficPercent?.location ?? c.location, rule: KServeRule.canary)
            }
            sum = sum.saturatingAdding(pct)
            let ext = c.predictor.ext
            for (field, loc) in [
                ("maxReplicas", ext.maxReplicas.flatMap { $0.value > 0 ? $0.location : nil }),
                ("scaleTarget", ext.scaleTarget?.location), ("scaleMetric", ext.scaleMetric?.location),
                ("autoScaling", ext.autoScaling?.location),
            ] {
                if let loc {
                    diagnostics.report(
                        "canary \"\(name.value)\" must not set \(field) (canary uses fixed replicas)", at: loc, rule: KServeRule.canary)
                }
            }
            if let w = c.predictor.workerSpec {
                diagnostics.report(
                    "canary \"\(name.value)\" must not set workerSpec (multi-node is not yet supported for canary)", at: w,
                    rule: KServeRule.canary)
            }
            if let m = ext.minReplicas, m.value > stableMin {
                diagnostics.report(
                    "canary \"\(name.value)\" minReplicas (\(m.value)) must not exceed stable predictor minReplicas (\(stableMin))",
                    at: m.location, rule: KServeRule.canary)
            }
        }
        if sum > 100 {
            diagnostics.report(
                "sum of canary trafficPercent values (\(sum)) must be <= 100", at: isvc.canaryLocation ?? isvc.location,
                rule: KServeRule.canary)
        }
    }
}
