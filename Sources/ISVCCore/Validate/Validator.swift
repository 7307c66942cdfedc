/// Stage 3: the spec as KServe's admission webhooks and controllers would accept it: the webhook
/// rules here, then each accepted InferenceService's components built with defaults applied and
/// runtimes selected (Build/). Every rule runs; every problem is collected.
public enum Validator {
    public static func validate(
        _ inputs: Inputs, mode: DeploymentMode?, previous: PreviousState? = nil,
        diagnostics: Diagnostics
    ) -> ValidatedSpec {
        validate(inputs, mode: mode, previous: previous, selections: RuntimeSelectionCache(), diagnostics: diagnostics)
    }

    /// Diagnostics only (`isvc check` without Istio inputs): the validated services are dropped as they
    /// are made, so checking ten thousand InferenceServices does not hold ten thousand pod specs.
    public static func check(
        _ inputs: Inputs, mode: DeploymentMode?, previous: PreviousState? = nil,
        diagnostics: Diagnostics
    ) {
        _ = validate(
            inputs, mode: mode, previous: previous, selections: RuntimeSelectionCache(), keep: false,
            diagnostics: diagnostics)
    }

    static func validate(
        _ inputs: Inputs, mode: DeploymentMode?, previous: PreviousState?, selections: RuntimeSelectionCache,
        keep: Bool = true, diagnostics: Diagnostics
    ) -> ValidatedSpec {
        // Duplicates first (they need every isvc), then each isvc on its own: in parallel when there are
        // many, each with its own diagnostics, merged in input order.
        var seen: [String: SourceLocation] = [:]
        var duplicate = Set<Int>()
        for (i, isvc) in inputs.inferenceServices.enumerated() {
            guard let name = isvc.meta.name else { continue }
            let key = "\(isvc.namespace)/\(name.value)"
            if let first = seen[key] {
                diagnostics.report(
                    "InferenceService \(key) is defined twice", at: name.location, rule: InputRule.duplicate,
                    notes: [Note("\(key) is first defined here", at: first)])
                duplicate.insert(i)
            } else {
                seen[key] = name.location
            }
        }
        let isvcs = inputs.inferenceServices
        let strict = diagnostics.strict
        let skip = duplicate
        // `isvc check` keeps no services, except those an InferenceGraph's steps need the address of.
        let graphTargets = Set(
            inputs.inferenceGraphs.flatMap { g in
                g.nodes.flatMap(\.steps).compactMap { $0.serviceName.map { "\(g.namespace)/\($0.value)" } }
            })
        let results = Parallel.map(isvcs.count) { i -> (ValidatedService?, [Diagnostic]) in
            guard !skip.contains(i) else { return (nil, []) }
            let local = Diagnostics(strict: strict)
            let service = validate(isvcs[i], inputs: inputs, mode: mode, previous: previous, selections: selections, diagnostics: local)
            return (keep || graphTargets.contains("\(isvcs[i].namespace)/\(isvcs[i].name)") ? service : nil, local.all)
        }
        var services: [ValidatedService] = []
        for (service, found) in results {
            for d in found { diagnostics.append(d) }
            if let service { services.append(service) }
        }
        let models = TrainedModelRules(diagnostics: diagnostics, config: inputs.config)
            .allocate(inputs.trainedModels, services: inputs.inferenceServices)
        for i in services.indices { services[i].trainedModels = models["\(services[i].namespace)/\(services[i].name)"] ?? [] }
        let graphs = InferenceGraphRules(diagnostics: diagnostics, inputs: inputs, mode: mode).validate(services: services)
        let llm = LLMRules(diagnostics: diagnostics, inputs: inputs).validate()
        return ValidatedSpec(
            services: keep ? services : [], config: inputs.config, graphs: keep ? graphs : [], llmServices: keep ? llm : [])
    }

    /// One InferenceService: webhook rules, defaults, components; nil when it has errors.
    static func validate(
        _ isvc: InferenceService, inputs: Inputs, mode: DeploymentMode?, previous: PreviousState?,
        selections: RuntimeSelectionCache = RuntimeSelectionCache(), diagnostics: Diagnostics
    ) -> ValidatedService? {
        guard let resolvedMode = resolveMode(isvc.meta, mode: mode, config: inputs.config, diagnostics: diagnostics) else { return nil }
        UpstreamAnnotationRules(diagnostics: diagnostics, mode: resolvedMode).check(isvc)
        var rules = WebhookRules(diagnostics: diagnostics, config: inputs.config, previous: previous)
        rules.standard = resolvedMode == .standard
        rules.check(isvc)
        guard !diagnostics.hasErrors else { return nil }
        // The webhooks accepted it: the components' pods (Build/).
        var builder = ComponentBuilder(config: inputs.config, runtimes: inputs.runtimes, diagnostics: diagnostics)
        builder.selections = selections
        return builder.service(isvc, mode: resolvedMode)
    }

    /// The deployment mode: the annotation (legacy names normalised), else `--mode`, else the ConfigMap
    /// default. ModelMesh is not compiled.
    static func resolveMode(
        _ meta: ObjectMeta, mode: DeploymentMode?, config: ClusterConfig,
        diagnostics: Diagnostics
    ) -> DeploymentMode? {
        let annotation = meta.annotations[Keys.deploymentMode]
        let at = meta.location(ofAnnotation: Keys.deploymentMode)
        var resolved: String
        if let annotation {
            switch annotation {
            case "Serverless", "Knative": resolved = "Knative"
            case "RawDeployment", "Standard": resolved = "Standard"
            case "ModelMesh": resolved = "ModelMesh"
            default:
                diagnostics.report(
                    "invalid deployment mode \"\(annotation)\": supported values are Knative (legacy Serverless), Standard (legacy RawDeployment) and ModelMesh",
                    at: at, rule: KServeRule.deploymentMode)
                return nil
            }
        } else {
            resolved = mode?.kserveName ?? config.defaultDeploymentMode
        }
        if let mode, annotation != nil, mode.kserveName != resolved {
            diagnostics.report(
                "--mode \(mode.rawValue) is overridden by the annotation \(Keys.deploymentMode): \(annotation!)",
                at: at, rule: ISVCRule.mode)
        }
        switch resolved {
        case "Knative": return .knative
        case "Standard": return .standard
        default:
            diagnostics.report(
                "\(resolved) deployment mode is not compiled by isvc; Knative (Serverless) and Standard (RawDeployment) are",
                at: annotation != nil ? at : meta.location, rule: ISVCRule.unsupportedMode)
            return nil
        }
    }
}

public enum DeploymentMode: String, Sendable, CaseIterable {
    case knative
    case standard

    var kserveName: String { self == .knative ? "Knative" : "Standard" }
}
