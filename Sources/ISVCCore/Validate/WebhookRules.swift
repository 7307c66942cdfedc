import Foundation

/// KServe's validating webhook for InferenceServices (`inference_service_validation.go`,
/// `component.go`), with KServe's own messages, each at the position of the field it is about.
struct WebhookRules {
    let diagnostics: Diagnostics
    let config: ClusterConfig
    /// An earlier rollout, if known: canary traffic needs one.
    var previous: PreviousState?
    /// Standard (RawDeployment) mode: Kubernetes autoscaling rules instead of Knative's.
    var standard = false

    static let nameRegex = try! NSRegularExpression(pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$")

    func check(_ isvc: InferenceService) {
        checkName(isvc)
        checkAnnotations(isvc)
        checkBlockedEnv(isvc)
        checkPredictor(isvc)
        for (kind, component) in [("transformer", isvc.transformer), ("explainer", isvc.explainer)] {
            guard let component else { continue }
            checkExtension(component.ext, component: kind, isvc: isvc)
            if kind == "transformer" {
                for c in component.pod.containers where c.env("STORAGE_URI") != nil {
                    diagnostics.error("storage uri should not be specified in transformer container",
                                      at: c.fieldLocations["env"] ?? c.location, rule: "kserve.transformer-storage-uri")
                }
            }
            if kind == "transformer", component.pod.containers.isEmpty {
                diagnostics.error("exactly one of [PodSpec, ComponentExtensionSpec] must be specified in TransformerSpec",
                                  at: component.location, rule: "kserve.exactly-one")
            }
            if kind == "explainer", (component.pod.containers.isEmpty ? 0 : 1) + (component.art == nil ? 0 : 1) != 1 {
                diagnostics.error("exactly one of [ART, PodSpec, ComponentExtensionSpec] must be specified in ExplainerSpec",
                                  at: component.location, rule: "kserve.exactly-one")
            }
        }
        if let at = isvc.canaryLocation, !isvc.canaries.isEmpty {
            if standard {
                checkCanaries(isvc)
            } else {
                diagnostics.error("canary is only supported in Standard deployment mode", at: at, rule: "kserve.canary-mode")
            }
        }
    }

    /// `validateBlockedEnvVars`: PYTHONPATH may not be set in any container.
    func checkBlockedEnv(_ isvc: InferenceService) {
        var containers = isvc.predictor.pod.containers
        if let model = isvc.predictor.model { containers.append(model.container) }
        containers += (isvc.transformer?.pod.containers ?? []) + (isvc.explainer?.pod.containers ?? [])
        if let art = isvc.explainer?.art { containers.append(art.container) }
        for c in containers where c.env("PYTHONPATH") != nil || c.fields["env"]?.array?.contains(where: { $0["name"]?.string == "PYTHONPATH" }) == true {
            diagnostics.error("the InferenceService \"\(isvc.name)\" is invalid: setting PYTHONPATH in container \"\(c.name ?? "")\" is not allowed for security reasons",
                              at: c.fieldLocations["env"] ?? c.location, rule: "kserve.blocked-env")
        }
    }

    func checkName(_ isvc: InferenceService) {
        guard let name = isvc.meta.name else {
            diagnostics.error("metadata.name is required", at: isvc.meta.location, rule: "kserve.name")
            return
        }
        let range = NSRange(name.value.startIndex..., in: name.value)
        if Self.nameRegex.firstMatch(in: name.value, range: range) == nil {
            diagnostics.error(
                "the InferenceService \"\(name.value)\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                at: name.location, rule: "kserve.name")
            return
        }
        // Knative rejects a Service whose name is not a DNS-1035 label of at most 63 characters.
        for kind in ["predictor", "transformer", "explainer"] {
            let ksvc = "\(name.value)-\(kind)"
            if ksvc.count > 63, kind == "predictor" || (kind == "transformer" && isvc.transformer != nil)
                || (kind == "explainer" && isvc.explainer != nil) {
                diagnostics.error(
                    "the Knative Service \"\(ksvc)\" that KServe creates for the \(kind) would be rejected by Knative: metadata.name must be no more than 63 characters (the InferenceService name may have at most \(63 - kind.count - 1))",
                    at: name.location, rule: "knative.name-length")
            }
        }
    }

    func checkAnnotations(_ isvc: InferenceService) {
        let a = isvc.meta.annotations
        if let cls = a[Keys.autoscalerClass], !["hpa", "external", "keda", "none"].contains(cls) {
            diagnostics.error("[\(cls)] is not a supported autoscaler class type",
                              at: isvc.meta.location(ofAnnotation: Keys.autoscalerClass), rule: "kserve.autoscaler-class")
        }
        guard !standard else { return }
        // KServe drops an initial-scale it cannot use instead of rejecting it; say so.
        if let v = a[Keys.initialScale] {
            let at = isvc.meta.location(ofAnnotation: Keys.initialScale)
            if Int(v) == nil || Int(v)! < 0 {
                diagnostics.warning("\(Keys.initialScale) \"\(v)\" is not a non-negative integer; KServe drops the annotation",
                                    at: at, rule: "kserve.initial-scale")
            } else if Int(v) == 0, !config.autoscaler.allowZeroInitialScale {
                diagnostics.warning("\(Keys.initialScale) \"0\" is dropped by KServe: Knative's config-autoscaler does not set allow-zero-initial-scale",
                                    at: at, rule: "kserve.initial-scale")
            }
        }
        for key in [Keys.minScale, Keys.maxScale] where a[key] != nil {
            diagnostics.warning("\(key) on the InferenceService is dropped by KServe; use spec.<component>.\(key == Keys.minScale ? "minReplicas" : "maxReplicas")",
                                at: isvc.meta.location(ofAnnotation: key), rule: "kserve.scale-annotation")
        }
        if a[Keys.stop] == "true" {
            diagnostics.warning("\(Keys.stop) is \"true\": KServe deletes this InferenceService's Knative Services and VirtualService, so nothing is emitted for it",
                                at: isvc.meta.location(ofAnnotation: Keys.stop), rule: "kserve.stopped")
        }
        KnativeAnnotationRules(diagnostics: diagnostics, defaultClass: config.autoscaler.podAutoscalerClass).check(a, locations: isvc.meta)
    }

    func checkPredictor(_ isvc: InferenceService) {
        let p = isvc.predictor
        let customContainers = p.pod.containers
        // Exactly one implementation: a framework field, model, or a custom container.
        // KServe counts framework fields and model, one per container named kserve-container, and
        // the first container as a custom predictor when there is nothing else.
        var count = p.implementations.count + customContainers.filter { $0.name == "kserve-container" }.count
        if count == 0, !customContainers.isEmpty { count = 1 }
        if count != 1 {
            let at = p.implementations.dropFirst().first?.location ?? p.location
            diagnostics.error(
                "exactly one of [Name, SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, StorageContainerName, WorkerSpec, PodSpec] must be specified in PredictorSpec",
                at: at, rule: "kserve.exactly-one")
        }
        if let model = p.model, let nameAt = model.container.fieldLocations["name"] {
            diagnostics.error("the 'name' field is not allowed in standard predictor", at: nameAt, rule: "kserve.model-container-name")
        }
        checkExtension(p.ext, component: "predictor", isvc: isvc)
        if let model = p.model {
            if let uri = model.storageUri, !p.storageUris.isEmpty {
                diagnostics.error("Setting both StorageURI and StorageURIs is not supported.", at: uri.location,
                                  rule: "kserve.storage-uri-exclusive")
            }
            if let uri = model.storageUri { StorageURIRules(diagnostics: diagnostics).checkScheme(uri) }
            if model.legacyKey != nil || true {
                if model.formatName == nil, model.legacyKey == nil {
                    diagnostics.error("spec.predictor.model.modelFormat.name is required", at: model.location, rule: "kserve.model-format")
                }
            }
        }
        for c in customContainers where c.name == "kserve-container" || customContainers.count == 1 {
            if let proto = c.env("PROTOCOL"), proto != "v1", proto != "v2" {
                // KServe passes the arguments of this message in swapped order; the text matches it.
                diagnostics.error("invalid protocol v1, v2. Must be one of [\(proto)]",
                                  at: c.fieldLocations["env"] ?? c.location, rule: "kserve.custom-protocol")
            }
            if let uri = c.env("STORAGE_URI") {
                StorageURIRules(diagnostics: diagnostics).checkScheme(Located(uri, at: c.fieldLocations["env"] ?? c.location))
            }
        }
        if !p.storageUris.isEmpty {
            StorageURIRules(diagnostics: diagnostics).checkMountPaths(p.storageUris)
            for s in p.storageUris { StorageURIRules(diagnostics: diagnostics).checkScheme(s.uri) }
        }
        if let worker = p.workerSpec {
            diagnostics.error("workerSpec (multi-node serving) is not supported by isvc yet", at: worker, rule: "isvc.unsupported")
        }
    }

    func checkExtension(_ ext: ComponentExtension, component: String, isvc: InferenceService) {
        if let min = ext.minReplicas, min.value < 0 {
            diagnostics.error("'MinReplicas' cannot be less than 0", at: min.location, rule: "kserve.replicas")
        }
        if let max = ext.maxReplicas, max.value < 0 {
            diagnostics.error("'MaxReplicas' cannot be less than 0", at: max.location, rule: "kserve.replicas")
        }
        // KServe's fields are Go ints, but each lands in an int32: Knative's min-scale and max-scale
        // annotations (read with strconv.ParseInt(v, 10, 32)) or the Deployment's and autoscaler's replicas.
        for (field, annotation, value) in [("minReplicas", Keys.minScale, ext.minReplicas), ("maxReplicas", Keys.maxScale, ext.maxReplicas)] {
            guard let value, value.value > Int(Int32.max) else { continue }
            if standard {
                diagnostics.error("\(field) \(value.value) is more than 2147483647: KServe writes it into the \(component)'s Deployment and autoscaler replica counts, which Kubernetes holds in an int32",
                                  at: value.location, rule: "kserve.replicas")
            } else {
                diagnostics.error("expected 0 <= \(value.value) <= 2147483647: \(annotation) (KServe copies \(field) to it; Knative rejects the revision template KServe builds)",
                                  at: value.location, rule: "knative.annotation")
            }
        }
        if standard, let target = ext.scaleTarget, target.value > Int(Int32.max) {
            diagnostics.error("scaleTarget \(target.value) is more than 2147483647: KServe writes it into the \(component)'s autoscaler target, which Kubernetes holds in an int32",
                              at: target.location, rule: "kserve.scale-target")
        }
        if let max = ext.maxReplicas, max.value != 0, (ext.minReplicas?.value ?? 1) > max.value {
            diagnostics.error("'MinReplicas' cannot be greater than MaxReplicas", at: ext.minReplicas?.location ?? max.location,
                              rule: "kserve.replicas")
        }
        if let cc = ext.containerConcurrency {
            if cc.value < 0 {
                diagnostics.error("parallelism cannot be less than 0", at: cc.location, rule: "kserve.container-concurrency")
            } else if !standard, cc.value > config.containerConcurrencyMaxLimit {
                diagnostics.error("expected 0 <= \(cc.value) <= \(config.containerConcurrencyMaxLimit): spec.template.spec.containerConcurrency (Knative rejects the \(component)'s Knative Service)",
                                  at: cc.location, rule: "knative.container-concurrency")
            }
        }
        if standard {
            checkStandardScaling(ext, component: component, isvc: isvc)
            return
        }
        // The component's own annotations reach its revision template too.
        KnativeAnnotationRules(diagnostics: diagnostics, defaultClass: config.autoscaler.podAutoscalerClass).check(ext.annotations) { ext.annotationLocations[$0] ?? isvc.location }
        if let t = ext.timeout, t.value < 0 || t.value > config.maxRevisionTimeoutSeconds {
            diagnostics.error("expected 0 <= \(t.value) <= \(config.maxRevisionTimeoutSeconds): spec.template.spec.timeoutSeconds (Knative rejects the \(component)'s Knative Service)",
                              at: t.location, rule: "knative.timeout")
        }
        // logger.mode outside all|request|response is rejected by the CRD's enum before the webhook runs.
        // Knative mode: KPA checks, unless the Knative class annotation asks for its HPA.
        if isvc.meta.annotations[Keys.autoscalingClass] != "hpa.autoscaling.knative.dev" {
            if let metric = ext.scaleMetric, metric.value != "concurrency", metric.value != "rps" {
                diagnostics.error("[\(metric.value)] is not a supported metric", at: metric.location, rule: "kserve.scale-metric")
            }
            if ext.scaleMetric?.value == "rps", let target = ext.scaleTarget, target.value < 1 {
                diagnostics.error("the target for rps should be greater than 1", at: target.location, rule: "kserve.scale-target")
            }
            if let strategy = ext.deploymentStrategy {
                diagnostics.error("customizing deploymentStrategy is only supported for raw deployment mode",
                                  at: strategy.location, rule: "kserve.deployment-strategy")
            }
        }
        let rolledOut = previous?.component(namespace: isvc.namespace, name: "\(isvc.name)-\(component)")?.rolledOutRevision
        if let pct = ext.canaryTrafficPercent, pct.value >= 0, pct.value < 100, rolledOut == nil {
            diagnostics.warning("canaryTrafficPercent \(pct.value) has no effect on a first deployment: KServe splits traffic only once a revision has been rolled out, so the new revision gets 100%",
                                at: pct.location, rule: "kserve.canary-first-deployment")
        }
        if let pct = ext.canaryTrafficPercent, pct.value < 0 || pct.value > 100 {
            // KServe has no range check, but Knative rejects the traffic block it builds.
            diagnostics.error("expected 0 <= \(pct.value) <= 100: spec.traffic[0].percent (Knative rejects the \(component)'s traffic split)",
                              at: pct.location, rule: "knative.traffic-percent")
        }
    }
}
