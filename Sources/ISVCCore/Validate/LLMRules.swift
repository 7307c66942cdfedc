/// An LLMInferenceService that passed the webhook, with its configs merged and rendered as the
/// controller merges them, ready to expand.
public struct ValidatedLLMService: Sendable {
    public var original: LLMInferenceService
    public var spec: LLMServiceSpec
    /// The configs applied, in merge order (`status.appliedConfigs`).
    var applied: [LLMConfigCombiner.Applied]
    /// The specs merged, in order.
    var layers: [LLMProvenance.Layer] = []
    /// LoRA adapters, sorted by name, with where they are mounted.
    var lora: [LLMLoRA.Adapter] = []

    public var name: String { original.name }
    public var namespace: String { original.namespace }
    public var meta: ObjectMeta { original.meta }

    /// The controller reference every child carries.
    var owner: Value {
        Meta.ownerReference(apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService", namespace: namespace, name: name)
    }

    var ref: ObjectRef {
        ObjectRef(apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService", namespace: namespace, name: name)
    }
}

/// The webhook at admission, the controller's config merge, and its dry-run validation of the
/// merged spec, per LLMInferenceService; then what isvc does not compile yet, said plainly.
struct LLMRules {
    let diagnostics: Diagnostics
    let inputs: Inputs

    func validate() -> [ValidatedLLMService] {
        let combiner = LLMConfigCombiner(config: inputs.config, inputConfigs: inputs.llmConfigs)
        var seen: [String: SourceLocation] = [:]
        var out: [ValidatedLLMService] = []
        for config in inputs.llmConfigs where !(config.spec["baseRefs"]?.array ?? []).isEmpty {
            diagnostics.report(
                "spec.baseRefs: Forbidden: baseRefs are not permitted in LLMInferenceServiceConfig",
                at: config.location(of: ["baseRefs"]), rule: LLMRule.merge)
        }
        for service in inputs.llmServices {
            let key = "\(service.namespace)/\(service.name)"
            if let first = seen[key] {
                diagnostics.report(
                    "LLMInferenceService \(key) is defined twice", at: service.meta.name?.location ?? service.location,
                    rule: InputRule.duplicate, notes: [Note("\(key) is first defined here", at: first)])
                continue
            }
            seen[key] = service.meta.name?.location ?? service.location
            if let validated = validate(service, combiner: combiner) { out.append(validated) }
        }
        return out
    }

    func validate(_ service: LLMInferenceService, combiner: LLMConfigCombiner) -> ValidatedLLMService? {
        let before = diagnostics.errorCount
        let admitted = LLMWebhookRules(spec: service.spec, name: service.name).findings()
        for f in admitted { report(f, service: service, prefix: "") }
        guard diagnostics.errorCount == before else { return nil }
        if Keys.stopped(service.meta.annotations) {
            return ValidatedLLMService(original: service, spec: LLMServiceSpec(service.spec), applied: [])
        }
        let combined: LLMConfigCombiner.Combined
        do {
            combined = try combiner.combine(service)
        } catch {
            diagnostics.report(error.message, at: error.at ?? service.location(of: error.path), rule: error.rule)
            return nil
        }
        let refs = combined.applied.map { "\($0.source.rawValue):\($0.namespace)/\($0.name)" }.joined(separator: ", ")
        let known = Set(admitted.map { "\($0.path)\($0.message)" })
        for f in LLMWebhookRules(spec: combined.spec, name: service.name).findings()
        where !known.contains("\(f.path)\(f.message)") && !f.warning {
            report(
                LLMWebhookRules.Finding(path: f.path, message: f.message, rule: .rendered), service: service,
                prefix: "dry-run validation failed after merging configs [\(refs)]: ")
        }
        let spec = LLMServiceSpec(combined.spec)
        var lora: [LLMLoRA.Adapter] = []
        switch LLMLoRA.adapters(combined.spec) {
        case .success(let adapters): lora = adapters
        case .failure(let error): diagnostics.report(error.message, at: service.location(of: error.path), rule: error.rule)
        }
        for (path, what) in unsupported(spec, service: service) {
            diagnostics.report("isvc does not compile \(what) yet", at: service.location(of: path), rule: LLMRule.unsupported)
        }
        modelURI(spec, service: service)
        guard diagnostics.errorCount == before else { return nil }
        return ValidatedLLMService(original: combined.service, spec: spec, applied: combined.applied, layers: combined.layers, lora: lora)
    }

    func report(_ f: LLMWebhookRules.Finding, service: LLMInferenceService, prefix: String) {
        // Admission warnings are their text alone; errors are `field: detail`, as the API server prints them.
        let message = f.warning ? f.message : "\(prefix)\(LLMWebhookRules.field(f.path)): \(f.message)"
        diagnostics.report(message, at: service.location(of: f.path), rule: f.rule)
    }

    /// The model's scheme: the controller's error for one it does not handle; isvc's for OCI.
    func modelURI(_ spec: LLMServiceSpec, service: LLMInferenceService) {
        guard spec.storageInitializerEnabled else { return }
        let at = service.location(of: ["model", "uri"])
        guard let scheme = LLMModelStorage.scheme(spec.modelURI) else {
            diagnostics.report("invalid model URI: \(spec.modelURI)", at: at, rule: LLMRule.modelURI)
            return
        }
        if !LLMModelStorage.schemes.contains(scheme) {
            diagnostics.report("unsupported schema in model URI: \(spec.modelURI)", at: at, rule: LLMRule.modelURI)
        } else if !LLMModelStorage.compiled.contains(scheme) {
            diagnostics.report("isvc does not compile \(scheme):// models (modelcars) yet", at: at, rule: LLMRule.unsupported)
        }
    }

    /// What the merged spec uses that isvc does not build yet, each with where it was written.
    func unsupported(_ spec: LLMServiceSpec, service: LLMInferenceService) -> [([String], String)] {
        let tree = spec.tree
        var out: [([String], String)] = []
        if inputs.config.enableLLMInferenceServiceTLS {
            out.append(([], "LLMInferenceServices with inferenceservice-config's ingress.enableLLMInferenceServiceTLS"))
        }
        func present(_ path: [String]) -> Bool { (tree[path: path] ?? .null) != .null }
        let checks: [([String], String)] = [
            (["kvCacheOffloading"], "KV-cache offloading (spec.kvCacheOffloading)"),
            (["scaling"], "autoscaling (spec.scaling: HPA, KEDA, WVA)"),
            (["router", "route", "group"], "traffic groups (spec.router.route.group)"),
            (["router", "route", "weight"], "traffic groups (spec.router.route.weight)"),
            (["model", "confidential"], "confidential models (spec.model.confidential)"),
        ]
        for (path, what) in checks where present(path) { out.append((path, what)) }
        let inits = spec.template?["initContainers"]?.array ?? []
        if inits.contains(where: { $0["name"]?.string == LLMModelStorage.initializerName }) {
            out.append((["template", "initContainers"], "a storage-initializer of the template's own (merged into the controller's)"))
        }
        if service.meta.annotations.keys.contains(where: { $0.hasPrefix("serving.kserve.io/exp-dra-") }) {
            out.append(([], "managed DRA (serving.kserve.io/exp-dra-* annotations)"))
        }
        if service.meta.labels["internal.serving.kserve.io/localmodel"] != nil {
            out.append(([], "local model caches (label internal.serving.kserve.io/localmodel)"))
        }
        if let inline = spec.router?.scheduler?.inlineConfig {
            let config = inline.string.flatMap(LLMSchedulerConfig.parse) ?? inline
            let types = LLMSchedulerConfig.pluginTypes(config)
            if let old = types.first(where: LLMSchedulerConfig.migrated.contains)
                ?? (config["apiVersion"]?.string == "inference.networking.x-k8s.io/v1alpha1"
                    ? "inference.networking.x-k8s.io/v1alpha1" : nil)
            {
                out.append((["router", "scheduler", "config", "inline"], "the scheduler config migrations KServe applies to \(old)"))
            }
        }
        return out
    }
}
