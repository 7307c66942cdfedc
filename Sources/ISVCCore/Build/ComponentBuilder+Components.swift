/// Transformers, explainers and `spec.canary` predictors, as KServe builds them.
extension ComponentBuilder {
    func transformer(
        _ isvc: InferenceService, annotations isvcAnnotations: [String: String], predictorName: String,
        isvcLabels: [String: String]
    ) -> ResolvedComponent? {
        guard let t = isvc.transformer, !t.pod.containers.isEmpty else { return nil }
        var containers = t.pod.containers.map { $0.fields }
        containers[0]["name"] = "kserve-container"
        containers[0]["resources"] = defaultResources(containers[0]["resources"])
        var args = containers[0]["args"]?.array?.compactMap(\.string) ?? []
        if !args.contains(where: { $0.hasPrefix("--model_name") }) { args += ["--model_name", isvc.name] }
        if !args.contains(where: { $0.hasPrefix("--predictor_host") }) {
            args += ["--predictor_host", "\(predictorName).\(isvc.namespace)"]
        }
        if !args.contains(where: { $0.hasPrefix("--http_port") }) { args += ["--http_port", "8080"] }
        if !args.contains(where: { $0.hasPrefix("--workers") }), let cc = t.ext.containerConcurrency {
            args += ["--workers", String(cc.value)]
        }
        containers[0]["args"] = .array(args.map { .string($0) })
        return component(
            .transformer, isvc, isvcAnnotations, t, containers: containers,
            storageUri: t.pod.containers.first?.env("STORAGE_URI"), isvcLabels: isvcLabels)
    }

    func explainer(
        _ isvc: InferenceService, annotations isvcAnnotations: [String: String], predictorName: String,
        isvcLabels: [String: String]
    ) -> ResolvedComponent? {
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
            return component(
                .explainer, isvc, isvcAnnotations, e, containers: [c], storageUri: art.storageUri?.value,
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
        if !args.contains(where: { $0.hasPrefix("--workers") }), let cc = e.ext.containerConcurrency {
            args += ["--workers", String(cc.value)]
        }
        containers[0]["args"] = .array(args.map { .string($0) })
        return component(
            .explainer, isvc, isvcAnnotations, e, containers: containers,
            storageUri: e.pod.containers.first?.env("STORAGE_URI"), isvcLabels: isvcLabels)
    }

    /// A transformer or explainer. `isvcLabels` are the isvc's labels as the predictor's reconcile left
    /// them (runtime defaults such as torchserve's serviceEnvelope are added to the isvc itself).
    func component(
        _ kind: ComponentKind, _ isvc: InferenceService, _ isvcAnnotations: [String: String], _ c: Component,
        containers: [[String: Value]], storageUri: String?, isvcLabels: [String: String]
    ) -> ResolvedComponent {
        var annotations = filtered(isvcAnnotations)
        if let storageUri { annotations[Keys.storageInitializerSourceURI] = storageUri }
        addLogger(c.ext.logger, to: &annotations)
        // explainer.go adds the logger's annotations only: an explainer's batcher is not injected.
        if kind != .explainer { addBatcher(c.ext.batcher, to: &annotations) }
        var labels = isvcLabels.merging(c.ext.labels) { $1 }
        labels[Keys.inferenceService] = isvc.name
        labels[Keys.component] = kind.rawValue
        var podSpec = c.pod.other
        podSpec["containers"] = .array(containers.map { .object($0) })
        // The transformer's first container gets INFERENCE_SERVICE_NAME; explainer.go adds none.
        if kind == .transformer { setIsvcNameEnv(&podSpec, isvc.name, allContainers: false) }
        return ResolvedComponent(
            kind: kind, name: "\(isvc.name)-\(kind.rawValue)", ext: c.ext, podSpec: podSpec,
            labels: labels, annotations: annotations.merging(filtered(c.ext.annotations)) { $1 },
            runtime: nil, protocolVersion: nil, storageUri: storageUri, storageUris: [],
            location: c.location)
    }
}

extension ComponentBuilder {
    /// A `spec.canary` predictor: the stable predictor with the canary's fields over it (mergo's
    /// WithOverride: fields the canary sets win), fixed at its replica count, no autoscaling fields.
    func canary(_ c: CanarySpec, of isvc: InferenceService, annotations: [String: String]) -> ResolvedComponent? {
        var merged = isvc.predictor
        let stableMin = isvc.predictor.ext.minReplicas?.value ?? 1
        let pct = c.trafficPercent?.value ?? 0
        let replicas = c.predictor.ext.minReplicas?.value ?? Int(saturating: (Double(stableMin) * Double(pct) / 100).rounded(.up))
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
