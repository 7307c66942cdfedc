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
                    diagnostics.report(
                        "storage uri should not be specified in transformer container",
                        at: c.fieldLocations["env"] ?? c.location, rule: KServeRule.transformerStorageUri)
                }
            }
            if kind == "transformer", component.pod.containers.isEmpty {
                diagnostics.report(
                    "exactly one of [PodSpec, ComponentExtensionSpec] must be specified in TransformerSpec",
                    at: component.location, rule: KServeRule.exactlyOne)
            }
            if kind == "explainer", (component.pod.containers.isEmpty ? 0 : 1) + (component.art == nil ? 0 : 1) != 1 {
                diagnostics.report(
                    "exactly one of [ART, PodSpec, ComponentExtensionSpec] must be specified in ExplainerSpec",
                    at: component.location, rule: KServeRule.exactlyOne)
            }
        }
        if let at = isvc.canaryLocation, !isvc.canaries.isEmpty {
            if standard {
                checkCanaries(isvc)
            } else {
                diagnostics.report("canary is only supported in Standard deployment mode", at: at, rule: KServeRule.canaryMode)
            }
        }
    }

    /// `validateBlockedEnvVars`: PYTHONPATH may not be set in any container.
    func checkBlockedEnv(_ isvc: InferenceService) {
        var containers = isvc.predictor.pod.containers
        if let model = isvc.predictor.model { containers.append(model.container) }
        containers += (isvc.transformer?.pod.containers ?? []) + (isvc.explainer?.pod.containers ?? [])
        if let art = isvc.explainer?.art { containers.append(art.container) }
        for c in containers
        where c.env("PYTHONPATH") != nil || c.fields["env"]?.array?.contains(where: { $0["name"]?.string == "PYTHONPATH" }) == true {
            diagnostics.report(
                "the InferenceService \"\(isvc.name)\" is invalid: setting PYTHONPATH in container \"\(c.name ?? "")\" is not allowed for security reasons",
                at: c.fieldLocations["env"] ?? c.location, rule: KServeRule.blockedEnv)
        }
    }

    func checkName(_ isvc: InferenceService) {
        guard let name = isvc.meta.name else {
            diagnostics.report("metadata.name is required", at: isvc.meta.location, rule: KServeRule.name)
            return
        }
        let range = NSRange(name.value.startIndex..., in: name.value)
        if Self.nameRegex.firstMatch(in: name.value, range: range) == nil {
            diagnostics.report(
                "the InferenceService \"\(name.value)\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                at: name.location, rule: KServeRule.name)
            return
        }
        // Knative rejects a Service whose name is not a DNS-1035 label of at most 63 characters.
        for kind in ["predictor", "transformer", "explainer"] {
            let ksvc = "\(name.value)-\(kind)"
            if ksvc.count > 63,
                kind == "predictor" || (kind == "transformer" && isvc.transformer != nil)
                    || (kind == "explainer" && isvc.explainer != nil)
            {
                diagnostics.report(
                    "the Knative Service \"\(ksvc)\" that KServe creates for the \(kind) would be rejected by Knative: metadata.name must be no more than 63 characters (the InferenceService name may have at most \(63 - kind.count - 1))",
                    at: name.location, rule: KnativeRule.nameLength)
            }
        }
    }

    func checkAnnotations(_ isvc: InferenceService) {
        let a = isvc.meta.annotations
        if let cls = a[Keys.autoscalerClass], !["hpa", "external", "keda", "none"].contains(cls) {
            diagnostics.report(
                "[\(cls)] is not a supported autoscaler class type",
                at: isvc.meta.location(ofAnnotation: Keys.autoscalerClass), rule: KServeRule.autoscalerClass)
        }
        guard !standard else { return }
        // KServe drops an initial-scale it cannot use instead of rejecting it; say so.
        if let v = a[Keys.initialScale] {
            let at = isvc.meta.location(ofAnnotation: Keys.initialScale)
            if Int(v) == nil || Int(v)! < 0 {
                diagnostics.report(
                    "\(Keys.initialScale) \"\(v)\" is not a non-negative integer; KServe drops the annotation",
                    at: at, rule: KServeRule.initialScale)
            } else if Int(v) == 0, !config.autoscaler.allowZeroInitialScale {
                diagnostics.report(
                    "\(Keys.initialScale) \"0\" is dropped by KServe: Knative's config-autoscaler does not set allow-zero-initial-scale",
                    at: at, rule: KServeRule.initialScale)
            }
        }
        for key in [Keys.minScale, Keys.maxScale] where a[key] != nil {
            diagnostics.report(
                "\(key) on the InferenceService is dropped by KServe; use spec.<component>.\(key == Keys.minScale ? "minReplicas" : "maxReplicas")",
                at: isvc.meta.location(ofAnnotation: key), rule: KServeRule.scaleAnnotation)
        }
        if Keys.stopped(a) {
            diagnostics.report(
                "\(Keys.stop) is \"\(a[Keys.stop] ?? "")\": KServe deletes this InferenceService's Knative Services and VirtualService, so nothing is emitted for it",
                at: isvc.meta.location(ofAnnotation: Keys.stop), rule: KServeRule.stopped)
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
            diagnostics.report(
                "exactly one of [Name, SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, StorageContainerName, WorkerSpec, PodSpec] must be specified in PredictorSpec",
                at: at, rule: KServeRule.exactlyOne)
        }
        if let model = p.model, let nameAt = model.container.fieldLocations["name"] {
            diagnostics.report("the 'name' field is not allowed in standard predictor", at: nameAt, rule: KServeRule.modelContainerName)
        }
        checkExtension(p.ext, component: "predictor", isvc: isvc)
        if let model = p.model {
            if let uri = model.storageUri, !p.storageUris.isEmpty {
                diagnostics.report(
                    "Setting both StorageURI and StorageURIs is not supported.", at: uri.location,
                    rule: KServeRule.storageUriExclusive)
            }
            if let uri = model.storageUri { StorageURIRules(diagnostics: diagnostics).checkScheme(uri) }
            if model.legacyKey != nil || true {
                if model.formatName == nil, model.legacyKey == nil {
                    diagnostics.report(
                        "spec.predictor.model.modelFormat.name is required", at: model.location, rule: KServeRule.modelFormat)
                }
            }
        }
        for c in customContainers where c.name == "kserve-container" || customContainers.count == 1 {
            if let proto = c.env("PROTOCOL"), proto != "v1", proto != "v2" {
                // KServe passes the arguments of this message in swapped order; the text matches it.
                diagnostics.report(
                    "invalid protocol v1, v2. Must be one of [\(proto)]",
                    at: c.fieldLocations["env"] ?? c.location, rule: KServeRule.customProtocol)
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
            diagnostics.report("workerSpec (multi-node serving) is not supported by isvc yet", at: worker, rule: ISVCRule.unsupported)
        }
    }

    func checkExtension(_ ext: ComponentExtension, component: String, isvc: InferenceService) {
        checkReplicas(ext, component: component)
        if let logger = ext.logger { checkLogger(logger, podAnnotations: isvc.meta.annotations.merging(ext.annotations) { $1 }) }
        if standard {
            checkStandardScaling(ext, component: component, isvc: isvc)
        } else {
            checkKnativeExtension(ext, component: component, isvc: isvc)
        }
    }

    /// Replica counts and container concurrency, in both modes: KServe's rules, and the int32 fields
    /// and Knative limits they end up in.
    func checkReplicas(_ ext: ComponentExtension, component: String) {
        if let min = ext.minReplicas, min.value < 0 {
            diagnostics.report("'MinReplicas' cannot be less than 0", at: min.location, rule: KServeRule.replicas)
        }
        if let max = ext.maxReplicas, max.value < 0 {
            diagnostics.report("'MaxReplicas' cannot be less than 0", at: max.location, rule: KServeRule.replicas)
        }
        // KServe's fields are Go ints, but each lands in an int32: Knative's min-scale and max-scale
        // annotations (read with strconv.ParseInt(v, 10, 32)) or the Deployment's and autoscaler's replicas.
        for (field, annotation, value) in [
            ("minReplicas", Keys.minScale, ext.minReplicas), ("maxReplicas", Keys.maxScale, ext.maxReplicas),
        ] {
            guard let value, value.value > Int(Int32.max) else { continue }
            if standard {
                diagnostics.report(
                    "\(field) \(value.value) is more than 2147483647: KServe writes it into the \(component)'s Deployment and autoscaler replica counts, which Kubernetes holds in an int32",
                    at: value.location, rule: KServeRule.replicas)
            } else {
                diagnostics.report(
                    "expected 0 <= \(value.value) <= 2147483647: \(annotation) (KServe copies \(field) to it; Knative rejects the revision template KServe builds)",
                    at: value.location, rule: KnativeRule.annotation)
            }
        }
        if standard, let target = ext.scaleTarget, target.value > Int(Int32.max) {
            diagnostics.report(
                "scaleTarget \(target.value) is more than 2147483647: KServe writes it into the \(component)'s autoscaler target, which Kubernetes holds in an int32",
                at: target.location, rule: KServeRule.scaleTarget)
        }
        if let max = ext.maxReplicas, max.value != 0, (ext.minReplicas?.value ?? 1) > max.value {
            diagnostics.report(
                "'MinReplicas' cannot be greater than MaxReplicas", at: ext.minReplicas?.location ?? max.location,
                rule: KServeRule.replicas)
        }
        if let cc = ext.containerConcurrency {
            if cc.value < 0 {
                diagnostics.report("parallelism cannot be less than 0", at: cc.location, rule: KServeRule.containerConcurrency)
            } else if !standard, cc.value > config.containerConcurrencyMaxLimit {
                diagnostics.report(
                    "expected 0 <= \(cc.value) <= \(config.containerConcurrencyMaxLimit): spec.template.spec.containerConcurrency (Knative rejects the \(component)'s Knative Service)",
                    at: cc.location, rule: KnativeRule.containerConcurrency)
            }
        }
    }

    /// Knative mode: the limits of the Knative Service KServe builds from the component.
    func checkKnativeExtension(_ ext: ComponentExtension, component: String, isvc: InferenceService) {
        // The component's own annotations reach its revision template too.
        KnativeAnnotationRules(diagnostics: diagnostics, defaultClass: config.autoscaler.podAutoscalerClass).check(ext.annotations) {
            ext.annotationLocations[$0] ?? isvc.location
        }
        if let t = ext.timeout, t.value < 0 || t.value > config.maxRevisionTimeoutSeconds {
            diagnostics.report(
                "expected 0 <= \(t.value) <= \(config.maxRevisionTimeoutSeconds): spec.template.spec.timeoutSeconds (Knative rejects the \(component)'s Knative Service)",
                at: t.location, rule: KnativeRule.timeout)
        }
        // logger.mode outside all|request|response is rejected by the CRD's enum before the webhook runs.
        // Knative mode: KPA checks, unless the Knative class annotation asks for its HPA.
        if isvc.meta.annotations[Keys.autoscalingClass] != "hpa.autoscaling.knative.dev" {
            if let metric = ext.scaleMetric, metric.value != "concurrency", metric.value != "rps" {
                diagnostics.report("[\(metric.value)] is not a supported metric", at: metric.location, rule: KServeRule.scaleMetric)
            }
            if ext.scaleMetric?.value == "rps", let target = ext.scaleTarget, target.value < 1 {
                diagnostics.report("the target for rps should be greater than 1", at: target.location, rule: KServeRule.scaleTarget)
            }
            if let strategy = ext.deploymentStrategy {
                diagnostics.report(
                    "customizing deploymentStrategy is only supported for raw deployment mode",
                    at: strategy.location, rule: KServeRule.deploymentStrategy)
            }
        }
        let rolledOut = previous?.component(namespace: isvc.namespace, name: "\(isvc.name)-\(component)")?.rolledOutRevision
        if let pct = ext.canaryTrafficPercent, pct.value >= 0, pct.value < 100, rolledOut == nil {
            diagnostics.report(
                "canaryTrafficPercent \(pct.value) has no effect on a first deployment: KServe splits traffic only once a revision has been rolled out, so the new revision gets 100%",
                at: pct.location, rule: KServeRule.canaryFirstDeployment)
        }
        if let pct = ext.canaryTrafficPercent, pct.value < 0 || pct.value > 100 {
            // KServe has no range check, but Knative rejects the traffic block it builds.
            diagnostics.report(
                "expected 0 <= \(pct.value) <= 100: spec.traffic[0].percent (Knative rejects the \(component)'s traffic split)",
                at: pct.location, rule: KnativeRule.trafficPercent)
        }
    }

    /// `validateLogger`: a mode of all, request or response, and a storage with its path, parameters
    /// and key. Any other mode is refused by the CRD's enum first; there is no default, so a logger
    /// without a mode reaches the webhook and is refused there.
    func checkLogger(_ logger: LoggerSpec, podAnnotations: [String: String]) {
        if logger.mode == nil {
            diagnostics.report(
                "invalid logger type (logger.mode is required: all, request or response)", at: logger.location,
                rule: KServeRule.logger)
        }
        if let storage = logger.storage, storage.path == nil || storage.parameters == nil || storage.key == nil {
            diagnostics.report(
                "invalid logger storage configuration (logger.storage needs path, parameters and key)",
                at: logger.location, rule: KServeRule.logger)
        }
        // The pod webhook passes each named annotation's value; one the pod lacks is left out, with
        // only a line in the webhook's log.
        for key in logger.metadataAnnotations ?? [] where podAnnotations[key] == nil {
            diagnostics.report(
                "logger.metadataAnnotations names \(key), which the InferenceService does not have: KServe's pod webhook "
                    + "leaves it out of the logged metadata",
                at: logger.location, rule: KServeRule.loggerAnnotation)
        }
    }
}
