/// Stage 3: the spec as KServe's admission webhooks and controllers would accept it, with defaults
/// applied and runtimes selected. Every rule runs; every problem is collected.
public enum Validator {
    public static func validate(_ inputs: Inputs, mode: DeploymentMode?, previous: PreviousState? = nil,
                                diagnostics: Diagnostics) -> ValidatedSpec {
        let rules = WebhookRules(diagnostics: diagnostics, config: inputs.config, previous: previous)
        let builder = ComponentBuilder(config: inputs.config, runtimes: inputs.runtimes, diagnostics: diagnostics)
        var services: [ValidatedService] = []
        var seen: [String: SourceLocation] = [:]
        for isvc in inputs.inferenceServices {
            let before = diagnostics.errorCount
            if let name = isvc.meta.name {
                let key = "\(isvc.namespace)/\(name.value)"
                if let first = seen[key] {
                    diagnostics.error("InferenceService \(key) is defined twice (first at \(first.file):\(first.line):\(first.column))",
                                      at: name.location, rule: "input.duplicate")
                    continue
                }
                seen[key] = name.location
            }
            guard checkMode(isvc, mode: mode, config: inputs.config, diagnostics: diagnostics) else { continue }
            rules.check(isvc)
            guard diagnostics.errorCount == before else { continue }
            let annotations = builder.defaultedAnnotations(isvc)
            guard let predictor = builder.predictor(isvc, annotations: annotations) else { continue }
            var components = [predictor]
            let isvcLabels = isvc.meta.labels.merging(predictor.isvcLabelAdditions) { $1 }
            if let t = builder.transformer(isvc, annotations: annotations, predictorName: predictor.name, isvcLabels: isvcLabels) {
                components.append(t)
            }
            if let e = builder.explainer(isvc, annotations: annotations, predictorName: predictor.name, isvcLabels: isvcLabels) {
                components.append(e)
            }
            for c in components { KnativeFeatureRules(diagnostics: diagnostics, features: inputs.config.knativeFeatures).check(c) }
            guard diagnostics.errorCount == before else { continue }
            services.append(ValidatedService(isvc: isvc, annotations: annotations, components: components))
        }
        return ValidatedSpec(services: services, config: inputs.config)
    }

    /// The deployment mode: `--mode`, else the annotation, else the ConfigMap default. Only Knative
    /// mode is compiled so far; the others get a clear error.
    static func checkMode(_ isvc: InferenceService, mode: DeploymentMode?, config: ClusterConfig,
                          diagnostics: Diagnostics) -> Bool {
        let annotation = isvc.meta.annotations[Keys.deploymentMode]
        let at = isvc.meta.location(ofAnnotation: Keys.deploymentMode)
        var resolved: String
        if let annotation {
            switch annotation {
            case "Serverless", "Knative": resolved = "Knative"
            case "RawDeployment", "Standard": resolved = "Standard"
            case "ModelMesh": resolved = "ModelMesh"
            default:
                diagnostics.error("invalid deployment mode \"\(annotation)\": supported values are Knative (legacy Serverless), Standard (legacy RawDeployment) and ModelMesh",
                                  at: at, rule: "kserve.deployment-mode")
                return false
            }
        } else {
            resolved = mode?.kserveName ?? config.defaultDeploymentMode
        }
        if let mode, annotation != nil, mode.kserveName != resolved {
            diagnostics.warning("--mode \(mode.rawValue) is overridden by the annotation \(Keys.deploymentMode): \(annotation!)",
                                at: at, rule: "isvc.mode")
        }
        guard resolved == "Knative" else {
            diagnostics.error("\(resolved) deployment mode is not compiled by isvc yet; only Knative (Serverless) mode is",
                              at: annotation != nil ? at : isvc.meta.location, rule: "isvc.unsupported-mode")
            return false
        }
        return true
    }
}

public enum DeploymentMode: String, Sendable, CaseIterable {
    case knative
    case standard

    var kserveName: String { self == .knative ? "Knative" : "Standard" }
}
