/// What KServe's defaulting webhook and component reconcilers make of each component: the
/// container(s), the PodSpec, and the component's labels and annotations (Knative mode).
struct ComponentBuilder {
    let config: ClusterConfig
    let runtimes: [ServingRuntime]
    let diagnostics: Diagnostics
    /// Runtime selections shared by the InferenceServices of one validation run.
    var selections = RuntimeSelectionCache()

    /// One InferenceService the webhook rules accepted, as KServe's defaulter and reconcilers build
    /// it: the predictor, transformer and explainer (Standard mode: and `spec.canary` predictors)
    /// with their pods, labels and annotations; nil when building finds errors (no runtime fits...).
    func service(_ isvc: InferenceService, mode: DeploymentMode) -> ValidatedService? {
        var annotations = defaultedAnnotations(isvc)
        // The defaulter records Standard mode on the isvc when it comes from the cluster default.
        if mode == .standard, annotations[Keys.deploymentMode] == nil { annotations[Keys.deploymentMode] = "Standard" }
        guard let predictor = predictor(isvc, annotations: annotations) else { return nil }
        var components = [predictor]
        let isvcLabels = isvc.meta.labels.merging(predictor.isvcLabelAdditions) { $1 }
        if let t = transformer(isvc, annotations: annotations, predictorName: predictor.name, isvcLabels: isvcLabels) {
            components.append(t)
        }
        if let e = explainer(isvc, annotations: annotations, predictorName: predictor.name, isvcLabels: isvcLabels) {
            components.append(e)
        }
        if mode == .knative {
            for c in components {
                KnativeFeatureRules(diagnostics: diagnostics, features: config.knativeFeatures).check(c)
                KnativePortRules(diagnostics: diagnostics).check(c)
            }
        }
        var canaries: [ResolvedComponent] = []
        if mode == .standard {
            for c in isvc.canaries {
                if let canary = canary(c, of: isvc, annotations: annotations) { canaries.append(canary) }
            }
        }
        guard !diagnostics.hasErrors else { return nil }
        var service = ValidatedService(isvc: isvc, annotations: annotations, components: components)
        service.mode = mode
        service.canaries = canaries
        return service
    }

    /// KServe's `ServiceAnnotationDisallowedList` plus the ConfigMap's extras.
    static func disallowed(_ config: ClusterConfig) -> Set<String> {
        Set(
            [Keys.minScale, Keys.maxScale, Keys.storageInitializerSourceURI, Keys.lastApplied, Keys.modelFormat]
                + config.serviceAnnotationDisallowedList)
    }

    func filtered(_ annotations: [String: String]) -> [String: String] {
        let disallowed = Self.disallowed(config)
        return annotations.filter { !disallowed.contains($0.key) }
    }

    /// The isvc annotations as the defaulting webhook leaves them.
    func defaultedAnnotations(_ isvc: InferenceService) -> [String: String] {
        var a = isvc.meta.annotations
        switch a[Keys.deploymentMode] {
        case "Serverless": a[Keys.deploymentMode] = "Knative"
        case "RawDeployment": a[Keys.deploymentMode] = "Standard"
        default: break
        }
        if let format = modelFormatName(isvc.predictor.model), a[Keys.modelFormat] == nil {
            a[Keys.modelFormat] = format
        }
        // The controller drops an initial-scale it cannot use (not an integer, or 0 when not allowed).
        if let v = a[Keys.initialScale], Int(v) == nil || (Int(v) == 0 && !config.autoscaler.allowZeroInitialScale) {
            a[Keys.initialScale] = nil
        }
        return a
    }

    func modelFormatName(_ model: ModelSpec?) -> String? {
        guard let model else { return nil }
        return model.formatName?.value ?? model.legacyKey
    }

    // MARK: predictor

    /// What the predictor's pod runs: a model on its selected runtime, or custom containers.
    struct PredictorPod {
        var podSpec: [String: Value]
        var runtime: ServingRuntime?
        var protocolVersion: String?
        var storageUri: String?
    }

    func predictor(_ isvc: InferenceService, annotations isvcAnnotations: [String: String]) -> ResolvedComponent? {
        let p = isvc.predictor
        var labels = isvc.meta.labels
        var annotations = filtered(isvcAnnotations)
        addLogger(p.ext.logger, to: &annotations)
        addBatcher(p.ext.batcher, to: &annotations)
        // addAgentAnnotations: a multi-model predictor gets the agent's model puller.
        if p.isMultiModel {
            annotations[Keys.agentInternal] = "true"
            annotations[Keys.agentConfigVolumeName] = ModelConfig.name(isvc.name)
            annotations[Keys.agentConfigMountPath] = "/mnt/configs"
            annotations[Keys.agentModelDir] = "/mnt/models"
        }
        let built: PredictorPod?
        if let model = p.model {
            built = modelPod(isvc, model, labels: &labels, isvcAnnotations: isvcAnnotations)
        } else {
            built = customPod(p)
        }
        guard let built else { return nil }
        var podSpec = built.podSpec
        let runtime = built.runtime, protocolVersion = built.protocolVersion, storageUri = built.storageUri
        setIsvcNameEnv(&podSpec, isvc.name, allContainers: true)
        if let storageUri { annotations[Keys.storageInitializerSourceURI] = storageUri }
        labels = labels.merging(p.ext.labels) { $1 }
        labels[Keys.inferenceService] = isvc.name
        labels[Keys.component] = "predictor"
        let runtimeLabels = runtime?.labels ?? [:]
        let finalLabels = runtimeLabels.merging(labels) { $1 }
        let finalAnnotations = filtered(runtime?.annotations ?? [:])
            .merging(annotations) { $1 }
            .merging(filtered(p.ext.annotations)) { $1 }
        let name = p.name.map { "\(isvc.name)-\($0.value)-predictor" } ?? "\(isvc.name)-predictor"
        var resolved = ResolvedComponent(
            kind: .predictor, name: name, ext: p.ext, podSpec: podSpec, labels: finalLabels,
            annotations: finalAnnotations, runtime: runtime, protocolVersion: protocolVersion,
            storageUri: storageUri, storageUris: p.storageUris, location: p.location)
        resolved.isvcLabelAdditions = labels.filter {
            isvc.meta.labels[$0.key] != $0.value && ($0.key == "modelClass" || $0.key == "serviceEnvelope")
        }
        return resolved
    }

    /// The pod of a model predictor: the runtime's kserve-container merged with the model's, the
    /// server type's defaults, a collocated transformer, then the runtime's and the isvc's other containers.
    func modelPod(
        _ isvc: InferenceService, _ model: ModelSpec, labels: inout [String: String],
        isvcAnnotations: [String: String]
    ) -> PredictorPod? {
        let p = isvc.predictor
        guard let selected = selectRuntime(isvc, model) else { return nil }
        var modelContainer = model.container.fields
        let proto = serverDefaults(isvc, model, runtime: selected, container: &modelContainer, labels: &labels)
        let protocolVersion = proto ?? RuntimeSelection.lowestProtocol(of: selected) ?? "v1"
        guard let runtimeContainer = selected.containers.first(where: { $0.name == "kserve-container" }) else {
            diagnostics.report(
                "failed to find kserve-container in ServingRuntime containers (\(selected.kind) \(selected.name))",
                at: model.location, rule: RuntimeRule.container)
            return nil
        }
        var merged = ContainerMerge.merge(runtime: runtimeContainer.fields, isvc: modelContainer)
        merged["name"] = "kserve-container"
        merged =
            RuntimeTemplate.render(
                .object(merged), name: isvc.name, namespace: isvc.namespace,
                labels: labels, annotations: isvcAnnotations
            ).object ?? merged
        if let version = model.runtimeVersion?.value, let image = merged["image"]?.string {
            merged["image"] = .string(ImageTag.replacing(image, with: version))
        }
        var podSpec = ContainerMerge.mergePod(runtime: selected.podFields, isvc: p.pod.other)
        var containers: [Value] = [.object(merged)]
        let srTransformer = selected.containers.first { $0.name == "transformer-container" }
        let isTransformer = p.pod.containers.first { $0.name == "transformer-container" }
        var collocated: [String: Value]?
        switch (srTransformer, isTransformer) {
        case let (sr?, isc?): collocated = ContainerMerge.merge(runtime: sr.fields, isvc: isc.fields)
        case let (sr?, nil): collocated = sr.fields
        case let (nil, isc?): collocated = isc.fields
        default: break
        }
        if let collocated {
            containers.append(
                RuntimeTemplate.render(
                    .object(collocated), name: isvc.name, namespace: isvc.namespace,
                    labels: labels, annotations: isvcAnnotations))
        }
        for c in selected.containers where c.name != "kserve-container" && c.name != "transformer-container" {
            containers.append(.object(c.fields))
        }
        for c in p.pod.containers where c.name != "transformer-container" {
            containers.append(.object(c.fields))
        }
        podSpec["containers"] = .array(containers)
        return PredictorPod(
            podSpec: podSpec, runtime: selected, protocolVersion: protocolVersion,
            storageUri: model.storageUri?.value)
    }

    /// The protocol the model asks for, after KServe's defaults: legacy framework fields
    /// triton/onnx/huggingface and formats triton and vLLM default to v2, then the server type's
    /// defaults (SetRuntimeDefaults), which also add env, args and labels.
    func serverDefaults(
        _ isvc: InferenceService, _ model: ModelSpec, runtime: ServingRuntime,
        container modelContainer: inout [String: Value], labels: inout [String: String]
    ) -> String? {
        let storageUri = model.storageUri?.value
        var proto = model.protocolVersion?.value
        let format = modelFormatName(model) ?? ""
        if proto == nil, ["triton", "onnx", "huggingface"].contains(model.legacyKey ?? "") || ["triton", "vLLM"].contains(format) {
            proto = "v2"
        }
        switch runtime.serverType ?? Self.serverType(fromRuntimeName: runtime.name) {
        case "mlserver":
            if proto == nil { proto = "v2" }
            if storageUri == nil && !model.hasStorageSpec {
                appendEnvIfMissing(&modelContainer, "MLSERVER_LOAD_MODELS_AT_STARTUP", "false")
            } else {
                appendEnvIfMissing(&modelContainer, "MLSERVER_MODEL_NAME", isvc.name)
                appendEnvIfMissing(&modelContainer, "MLSERVER_MODEL_URI", "/mnt/models")
            }
            let classes = [
                "xgboost": "mlserver_xgboost.XGBoostModel", "lightgbm": "mlserver_lightgbm.LightGBMModel",
                "mlflow": "mlserver_mlflow.MLflowRuntime",
            ]
            labels["modelClass"] = classes[format] ?? "mlserver_sklearn.SKLearnModel"
        case "tritonserver":
            if proto == nil { proto = "v2" }
            if storageUri == nil && !model.hasStorageSpec {
                modelContainer["args"] = .array((modelContainer["args"]?.array ?? []) + ["--model-control-mode=explicit"])
            }
        case "torchserve":
            if proto == nil { proto = "v1" }
            labels["serviceEnvelope"] = proto == "v2" || proto == "grpc-v2" ? "kservev2" : "kserve"
            var env = modelContainer["env"]?.array ?? []
            env.append(["name": "PROTOCOL_VERSION", "value": .string(proto!)])
            modelContainer["env"] = .array(env)
        default:
            break
        }
        return proto
    }

    /// A custom predictor's pod: its containers, the first named kserve-container when alone or unnamed.
    func customPod(_ p: Predictor) -> PredictorPod? {
        var containers = p.pod.containers.map { $0.fields }
        guard !containers.isEmpty else { return nil }
        if containers.count == 1 || containers[0]["name"]?.string == nil {
            containers[0]["name"] = "kserve-container"
        }
        containers[0]["resources"] = defaultResources(containers[0]["resources"])
        let storageUri = p.pod.containers.first { ($0.name ?? (containers.count == 1 ? "kserve-container" : nil)) == "kserve-container" }?
            .env("STORAGE_URI")
        var podSpec = p.pod.other
        podSpec["containers"] = .array(containers.map { .object($0) })
        return PredictorPod(
            podSpec: podSpec, runtime: nil, protocolVersion: p.pod.containers.first?.env("PROTOCOL"),
            storageUri: storageUri)
    }

    static func serverType(fromRuntimeName name: String) -> String? {
        ["kserve-mlserver": "mlserver", "kserve-tritonserver": "tritonserver", "kserve-torchserve": "torchserve"][name]
    }

    func selectRuntime(_ isvc: InferenceService, _ model: ModelSpec) -> ServingRuntime? {
        let format = modelFormatName(model) ?? ""
        let version = model.formatVersion?.value
        let at = model.formatName?.location ?? model.location
        var proto = model.protocolVersion?.value
        if proto == nil, ["triton", "onnx", "huggingface"].contains(model.legacyKey ?? "") || ["triton", "vLLM"].contains(format) {
            proto = "v2"
        }
        if let explicit = model.runtime {
            let match =
                runtimes.first {
                    !$0.clusterScoped && $0.name == explicit.value && ($0.meta.namespace?.value ?? isvc.namespace) == isvc.namespace
                }
                ?? runtimes.first { $0.clusterScoped && $0.name == explicit.value }
            guard let runtime = match else {
                let known = Set(runtimes.map(\.name)).sorted()
                var message = "No ServingRuntimes or ClusterServingRuntimes with the name: \(explicit.value)"
                if let guess = Suggestion.closest(to: explicit.value, in: known) { message += " (did you mean \"\(guess)\"?)" }
                diagnostics.report(message, at: explicit.location, rule: RuntimeRule.notFound)
                return nil
            }
            if runtime.disabled {
                diagnostics.report("specified runtime \(explicit.value) is disabled", at: explicit.location, rule: RuntimeRule.disabled)
                return nil
            }
            if let proto, !runtime.protocolVersions.isEmpty, !runtime.protocolVersions.contains(proto) {
                diagnostics.report(
                    "specified runtime \(explicit.value) does not support specified protocol version (\(proto); it supports \(runtime.protocolVersions.joined(separator: ", ")))",
                    at: model.protocolVersion?.location ?? explicit.location, rule: RuntimeRule.protocolVersion)
                return nil
            }
            let supports = runtime.formats.contains { $0.name == format && (version == nil || $0.version == version) }
            if !supports {
                let names = runtime.formats.map { f in f.version.map { "\(f.name) \($0)" } ?? f.name }.joined(separator: ", ")
                diagnostics.report(
                    "specified runtime \(explicit.value) does not support specified framework/version (\(format)\(version.map { " \($0)" } ?? ""); it supports \(names))",
                    at: at, rule: RuntimeRule.format)
                return nil
            }
            return runtime
        }
        let selection = selections.select(
            format: format, version: version, protocolVersion: proto ?? "v1",
            namespace: isvc.namespace, hasWorkerSpec: isvc.predictor.workerSpec != nil,
            runtimes: runtimes)
        guard let chosen = selection.chosen else {
            let notes = selection.notes(format: format)
            var message =
                "no runtime found to support predictor with model type: {\(format) \(version ?? "<nil>")} (protocol \(proto ?? "v1"))"
            if notes.isEmpty { message += "; no runtime lists model format \(format)" }
            diagnostics.report(message, at: at, rule: RuntimeRule.noRuntime, notes: notes)
            return nil
        }
        // A choice that may surprise: another runtime also matched, and KServe's ranking decided.
        if !selection.rankedLower.isEmpty {
            diagnostics.report(
                "runtime \(chosen.kind) \(chosen.name) was selected for model format \(format) over other candidates",
                at: at, rule: RuntimeRule.choice, notes: selection.notes(format: format))
        }
        return chosen
    }

    // MARK: helpers

    /// `addLoggerAnnotations`: what the pod webhook reads to inject the agent's logger. The mode is
    /// written as given (the webhook's validation refuses a logger without one).
    func addLogger(_ logger: LoggerSpec?, to annotations: inout [String: String]) {
        guard let logger else { return }
        annotations[Keys.loggerInternal] = "true"
        if let url = logger.url { annotations[Keys.loggerSinkURL] = url }
        annotations[Keys.loggerMode] = logger.mode?.value ?? ""
        if let headers = logger.metadataHeaders { annotations[Keys.loggerMetadataHeaders] = headers.joined(separator: ",") }
        if let keys = logger.metadataAnnotations { annotations[Keys.loggerMetadataAnnotations] = keys.joined(separator: ",") }
    }

    func addBatcher(_ batcher: Batcher?, to annotations: inout [String: String]) {
        guard let batcher else { return }
        annotations[Keys.batcherInternal] = "true"
        if let n = batcher.maxBatchSize { annotations[Keys.batcherMaxBatchSize] = String(n) }
        if let n = batcher.maxLatency { annotations[Keys.batcherMaxLatency] = String(n) }
    }

    /// `setResourceRequirementDefaults`: the ConfigMap's defaults for requests/limits not set.
    func defaultResources(_ resources: Value?) -> Value {
        var r = resources?.object ?? [:]
        for section in ["requests", "limits"] {
            var s = r[section]?.object ?? [:]
            for (k, v) in config.defaultResources[section]?.object ?? [:] where s[k] == nil { s[k] = v }
            r[section] = .object(s)
        }
        return .object(r)
    }

    func appendEnvIfMissing(_ container: inout [String: Value], _ name: String, _ value: String) {
        var env = container["env"]?.array ?? []
        if !env.contains(where: { $0["name"]?.string == name }) {
            env.append(["name": .string(name), "value": .string(value)])
        }
        container["env"] = .array(env)
    }

    /// INFERENCE_SERVICE_NAME on every container (predictor) or the first one (transformer, explainer).
    func setIsvcNameEnv(_ podSpec: inout [String: Value], _ name: String, allContainers: Bool) {
        guard var containers = podSpec["containers"]?.array else { return }
        for i in containers.indices where allContainers || i == 0 {
            guard case .object(var c) = containers[i] else { continue }
            ContainerMerge.setEnv(&c, name: "INFERENCE_SERVICE_NAME", value: name)
            containers[i] = .object(c)
        }
        podSpec["containers"] = .array(containers)
    }
}
