/// What KServe's defaulting webhook and component reconcilers make of each component: the
/// container(s), the PodSpec, and the component's labels and annotations (Knative mode).
struct ComponentBuilder {
    let config: ClusterConfig
    let runtimes: [ServingRuntime]
    let diagnostics: Diagnostics

    /// The built-in disallowed annotations plus the ConfigMap's extras.
    var disallowedAnnotations: Set<String> {
        Set([Keys.minScale, Keys.maxScale, Keys.storageInitializerSourceURI, Keys.lastApplied, Keys.modelFormat]
            + config.serviceAnnotationDisallowedList)
    }

    func filtered(_ annotations: [String: String]) -> [String: String] {
        annotations.filter { !disallowedAnnotations.contains($0.key) }
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

    func predictor(_ isvc: InferenceService, annotations isvcAnnotations: [String: String]) -> ResolvedComponent? {
        let p = isvc.predictor
        var labels = isvc.meta.labels
        var annotations = filtered(isvcAnnotations)
        addLogger(p.ext.logger, to: &annotations)
        addBatcher(p.ext.batcher, to: &annotations)
        var podSpec: [String: Value]
        var runtime: ServingRuntime?
        var protocolVersion: String?
        var storageUri: String?

        if let model = p.model {
            guard let selected = selectRuntime(isvc, model) else { return nil }
            runtime = selected
            storageUri = model.storageUri?.value
            var modelContainer = model.container.fields
            // The legacy framework fields become `model`; triton/onnx/huggingface default to protocol v2,
            // as do model formats triton and vLLM.
            var proto = model.protocolVersion?.value
            let format = modelFormatName(model) ?? ""
            if proto == nil, ["triton", "onnx", "huggingface"].contains(model.legacyKey ?? "") || ["triton", "vLLM"].contains(format) {
                proto = "v2"
            }
            // Server-type defaults (SetRuntimeDefaults).
            let serverType = selected.serverType ?? Self.serverType(fromRuntimeName: selected.name)
            switch serverType {
            case "mlserver":
                if proto == nil { proto = "v2" }
                if storageUri == nil && !model.hasStorageSpec {
                    appendEnvIfMissing(&modelContainer, "MLSERVER_LOAD_MODELS_AT_STARTUP", "false")
                } else {
                    appendEnvIfMissing(&modelContainer, "MLSERVER_MODEL_NAME", isvc.name)
                    appendEnvIfMissing(&modelContainer, "MLSERVER_MODEL_URI", "/mnt/models")
                }
                let classes = ["xgboost": "mlserver_xgboost.XGBoostModel", "lightgbm": "mlserver_lightgbm.LightGBMModel",
                               "mlflow": "mlserver_mlflow.MLflowRuntime"]
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
            protocolVersion = proto ?? RuntimeSelection.lowestProtocol(of: selected) ?? "v1"

            guard let runtimeContainer = selected.containers.first(where: { $0.name == "kserve-container" }) else {
                diagnostics.error("failed to find kserve-container in ServingRuntime containers (\(selected.kind) \(selected.name))",
                                  at: model.location, rule: "kserve.runtime-container")
                return nil
            }
            var merged = ContainerMerge.merge(runtime: runtimeContainer.fields, isvc: modelContainer)
            merged["name"] = "kserve-container"
            merged = RuntimeTemplate.render(.object(merged), name: isvc.name, namespace: isvc.namespace,
                                            labels: labels, annotations: isvcAnnotations).object ?? merged
            if let version = model.runtimeVersion?.value, let image = merged["image"]?.string {
                merged["image"] = .string(ImageTag.replacing(image, with: version))
            }
            podSpec = ContainerMerge.mergePod(runtime: selected.podFields, isvc: p.pod.other)
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
                containers.append(RuntimeTemplate.render(.object(collocated), name: isvc.name, namespace: isvc.namespace,
                                                         labels: labels, annotations: isvcAnnotations))
            }
            for c in selected.containers where c.name != "kserve-container" && c.name != "transformer-container" {
                containers.append(.object(c.fields))
            }
            for c in p.pod.containers where c.name != "transformer-container" {
                containers.append(.object(c.fields))
            }
            podSpec["containers"] = .array(containers)
        } else {
            // Custom predictor: the first container (named kserve-container when alone or unnamed).
            var containers = p.pod.containers.map { $0.fields }
            guard !containers.isEmpty else { return nil }
            if containers.count == 1 || containers[0]["name"]?.string == nil {
                containers[0]["name"] = "kserve-container"
            }
            containers[0]["resources"] = defaultResources(containers[0]["resources"])
            storageUri = p.pod.containers.first { ($0.name ?? (containers.count == 1 ? "kserve-container" : nil)) == "kserve-container" }?
                .env("STORAGE_URI")
            protocolVersion = p.pod.containers.first?.env("PROTOCOL")
            podSpec = p.pod.other
            podSpec["containers"] = .array(containers.map { .object($0) })
        }
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
        var resolved = ResolvedComponent(kind: .predictor, name: name, ext: p.ext, podSpec: podSpec, labels: finalLabels,
                                         annotations: finalAnnotations, runtime: runtime, protocolVersion: protocolVersion,
                                         storageUri: storageUri, storageUris: p.storageUris, location: p.location)
        resolved.isvcLabelAdditions = labels.filter { isvc.meta.labels[$0.key] != $0.value && ($0.key == "modelClass" || $0.key == "serviceEnvelope") }
        return resolved
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
            let match = runtimes.first { !$0.clusterScoped && $0.name == explicit.value && ($0.meta.namespace?.value ?? isvc.namespace) == isvc.namespace }
                ?? runtimes.first { $0.clusterScoped && $0.name == explicit.value }
            guard let runtime = match else {
                let known = Set(runtimes.map(\.name)).sorted()
                var message = "No ServingRuntimes or ClusterServingRuntimes with the name: \(explicit.value)"
                if let guess = Suggestion.closest(to: explicit.value, in: known) { message += " (did you mean \"\(guess)\"?)" }
                diagnostics.error(message, at: explicit.location, rule: "kserve.runtime-not-found")
                return nil
            }
            if runtime.disabled {
                diagnostics.error("specified runtime \(explicit.value) is disabled", at: explicit.location, rule: "kserve.runtime-disabled")
                return nil
            }
            if let proto, !runtime.protocolVersions.isEmpty, !runtime.protocolVersions.contains(proto) {
                diagnostics.error("specified runtime \(explicit.value) does not support specified protocol version (\(proto); it supports \(runtime.protocolVersions.joined(separator: ", ")))",
                                  at: model.protocolVersion?.location ?? explicit.location, rule: "kserve.runtime-protocol")
                return nil
            }
            let supports = runtime.formats.contains { $0.name == format && (version == nil || $0.version == version) }
            if !supports {
                let names = runtime.formats.map { f in f.version.map { "\(f.name) \($0)" } ?? f.name }.joined(separator: ", ")
                diagnostics.error("specified runtime \(explicit.value) does not support specified framework/version (\(format)\(version.map { " \($0)" } ?? ""); it supports \(names))",
                                  at: at, rule: "kserve.runtime-format")
                return nil
            }
            return runtime
        }
        let selection = RuntimeSelection.select(format: format, version: version, protocolVersion: proto ?? "v1",
                                                namespace: isvc.namespace, hasWorkerSpec: isvc.predictor.workerSpec != nil,
                                                runtimes: runtimes)
        guard let chosen = selection.chosen else {
            var message = "no runtime found to support predictor with model type: {\(format) \(version ?? "<nil>")} (protocol \(proto ?? "v1"))"
            let explanation = selection.explanation(format: format)
            if !explanation.isEmpty { message += "\n" + explanation }
            else { message += "; no runtime lists model format \(format)" }
            diagnostics.error(message, at: at, rule: "kserve.no-runtime")
            return nil
        }
        // A choice that may surprise: another runtime also matched, and KServe's ranking decided.
        if !selection.rankedLower.isEmpty {
            diagnostics.warning("runtime \(chosen.kind) \(chosen.name) was selected for model format \(format); other candidates:\n"
                                    + selection.explanation(format: format), at: at, rule: "kserve.runtime-choice")
        }
        return chosen
    }

    // MARK: transformer and explainer

    func transformer(_ isvc: InferenceService, annotations isvcAnnotations: [String: String], predictorName: String,
                     isvcLabels: [String: String]) -> ResolvedComponent? {
        guard let t = isvc.transformer, !t.pod.containers.isEmpty else { return nil }
        var containers = t.pod.containers.map { $0.fields }
        containers[0]["name"] = "kserve-container"
        containers[0]["resources"] = defaultResources(containers[0]["resources"])
        var args = containers[0]["args"]?.array?.compactMap(\.string) ?? []
        if !args.contains(where: { $0.hasPrefix("--model_name") }) { args += ["--model_name", isvc.name] }
        if !args.contains(where: { $0.hasPrefix("--predictor_host") }) { args += ["--predictor_host", "\(predictorName).\(isvc.namespace)"] }
        if !args.contains(where: { $0.hasPrefix("--http_port") }) { args += ["--http_port", "8080"] }
        if !args.contains(where: { $0.hasPrefix("--workers") }), let cc = t.ext.containerConcurrency { args += ["--workers", String(cc.value)] }
        containers[0]["args"] = .array(args.map { .string($0) })
        return component(.transformer, isvc, isvcAnnotations, t, containers: containers,
                         storageUri: t.pod.containers.first?.env("STORAGE_URI"), isvcLabels: isvcLabels)
    }

    func explainer(_ isvc: InferenceService, annotations isvcAnnotations: [String: String], predictorName: String,
                   isvcLabels: [String: String]) -> ResolvedComponent? {
        guard let e = isvc.explainer else { return nil }
        let host = "\(predictorName).\(isvc.namespace)"
        if let art = e.art {
            var c = art.container.fields
            let userArgs = c["args"]?.array?.compactMap(\.string) ?? []
            var args = ["--model_name", isvc.name, "--http_port", "8080"]
            if !userArgs.contains("--predictor_host") { args += ["--predictor_host", host] }
            if !userArgs.contains("--workers"), let cc = e.ext.containerConcurrency { args += ["--workers", String(cc.value)] }
            if art.storageUri != nil { args += ["--storage_uri", "/mnt/models"] }
            args += ["--adversary_type", "SquareAttack"]
            for key in art.config.keys.sorted() { args += ["--" + key, art.config[key]!] }
            // KServe appends the user's args twice (once in the list it builds, once more after it).
            args += userArgs + userArgs
            c["args"] = .array(args.map { .string($0) })
            if c["image"] == nil { c["image"] = .string("kserve/art-explainer:\(art.runtimeVersion?.value ?? "latest")") }
            c["name"] = "kserve-container"
            c["resources"] = defaultResources(c["resources"])
            return component(.explainer, isvc, isvcAnnotations, e, containers: [c], storageUri: art.storageUri?.value,
                             isvcLabels: isvcLabels)
        }
        guard !e.pod.containers.isEmpty else { return nil }
        var containers = e.pod.containers.map { $0.fields }
        containers[0]["name"] = "kserve-container"
        containers[0]["resources"] = defaultResources(containers[0]["resources"])
        var args = containers[0]["args"]?.array?.compactMap(\.string) ?? []
        if !args.contains(where: { $0.hasPrefix("--model_name") }) { args += ["--model_name", isvc.name] }
        if !args.contains(where: { $0.hasPrefix("--predictor_host") }) { args += ["--predictor_host", host] }
        args += ["--http_port", "8080"]
        if !args.contains(where: { $0.hasPrefix("--workers") }), let cc = e.ext.containerConcurrency { args += ["--workers", String(cc.value)] }
        containers[0]["args"] = .array(args.map { .string($0) })
        return component(.explainer, isvc, isvcAnnotations, e, containers: containers,
                         storageUri: e.pod.containers.first?.env("STORAGE_URI"), isvcLabels: isvcLabels)
    }

    /// A transformer or explainer. `isvcLabels` are the isvc's labels as the predictor's reconcile left
    /// them (runtime defaults such as torchserve's serviceEnvelope are added to the isvc itself).
    func component(_ kind: ComponentKind, _ isvc: InferenceService, _ isvcAnnotations: [String: String], _ c: Component,
                   containers: [[String: Value]], storageUri: String?, isvcLabels: [String: String]) -> ResolvedComponent {
        var annotations = filtered(isvcAnnotations)
        if let storageUri { annotations[Keys.storageInitializerSourceURI] = storageUri }
        addLogger(c.ext.logger, to: &annotations)
        addBatcher(c.ext.batcher, to: &annotations)
        var labels = isvcLabels.merging(c.ext.labels) { $1 }
        labels[Keys.inferenceService] = isvc.name
        labels[Keys.component] = kind.rawValue
        var podSpec = c.pod.other
        podSpec["containers"] = .array(containers.map { .object($0) })
        // The transformer's first container gets INFERENCE_SERVICE_NAME; explainer.go adds none.
        if kind == .transformer { setIsvcNameEnv(&podSpec, isvc.name, allContainers: false) }
        return ResolvedComponent(kind: kind, name: "\(isvc.name)-\(kind.rawValue)", ext: c.ext, podSpec: podSpec,
                                 labels: labels, annotations: annotations.merging(filtered(c.ext.annotations)) { $1 },
                                 runtime: nil, protocolVersion: nil, storageUri: storageUri, storageUris: [],
                                 location: c.location)
    }

    // MARK: helpers

    func addLogger(_ logger: Logger?, to annotations: inout [String: String]) {
        guard let logger else { return }
        annotations[Keys.loggerInternal] = "true"
        if let url = logger.url { annotations[Keys.loggerSinkURL] = url }
        annotations[Keys.loggerMode] = logger.mode?.value ?? "all"
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

extension ComponentBuilder {
    /// A `spec.canary` predictor: the stable predictor with the canary's fields over it (mergo's
    /// WithOverride: fields the canary sets win), fixed at its replica count, no autoscaling fields.
    func canary(_ c: CanarySpec, of isvc: InferenceService, annotations: [String: String]) -> ResolvedComponent? {
        var merged = isvc.predictor
        let stableMin = isvc.predictor.ext.minReplicas?.value ?? 1
        let pct = c.trafficPercent?.value ?? 0
        let replicas = c.predictor.ext.minReplicas?.value ?? Int((Double(stableMin) * Double(pct) / 100).rounded(.up))
        merged.name = c.predictor.name
        if let cm = c.predictor.model {
            var m = merged.model ?? cm
            if let v = cm.formatName { m.formatName = v }
            if let v = cm.formatVersion { m.formatVersion = v }
            if let v = cm.runtime { m.runtime = v }
            if let v = cm.storageUri { m.storageUri = v }
            if let v = cm.runtimeVersion { m.runtimeVersion = v }
            if let v = cm.protocolVersion { m.protocolVersion = v }
            for (k, v) in cm.container.fields { m.container.fields[k] = v }
            merged.model = m
        }
        if !c.predictor.pod.containers.isEmpty { merged.pod.containers = c.predictor.pod.containers }
        for (k, v) in c.predictor.pod.other { merged.pod.other[k] = v }
        merged.ext.labels.merge(c.predictor.ext.labels) { $1 }
        merged.ext.annotations.merge(c.predictor.ext.annotations) { $1 }
        if let v = c.predictor.ext.containerConcurrency { merged.ext.containerConcurrency = v }
        if let v = c.predictor.ext.timeout { merged.ext.timeout = v }
        merged.ext.maxReplicas = nil
        merged.ext.scaleTarget = nil
        merged.ext.scaleMetric = nil
        merged.ext.autoScaling = nil
        merged.ext.minReplicas = Located(replicas, at: c.predictor.ext.minReplicas?.location ?? c.location)
        merged.storageUris = []
        var canaryService = isvc
        canaryService.predictor = merged
        guard var resolved = predictor(canaryService, annotations: annotations) else { return nil }
        resolved.trafficPercent = pct
        resolved.location = c.location
        return resolved
    }
}
