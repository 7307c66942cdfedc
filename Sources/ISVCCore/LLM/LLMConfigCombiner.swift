/// KServe's `combineBaseRefsConfig` (`pkg/controller/v1alpha2/llmisvc/config_merge.go`): which
/// LLMInferenceServiceConfigs apply to an LLMInferenceService, merged in the controller's order with
/// its strategic merge, then the controller's fix-ups and the Go-template rendering.
struct LLMConfigCombiner {
    let config: ClusterConfig
    /// The configs a lookup can find: the input's, then KServe's presets in `kserve`.
    let configs: [String: LLMInferenceService]

    /// One config that applied, as `status.appliedConfigs` lists it.
    struct Applied: Sendable, Equatable {
        enum Source: String, Sendable { case preset = "Preset", userRef = "UserRef" }
        var name: String
        var namespace: String
        var source: Source
    }

    struct Combined: Sendable {
        var spec: Value
        var applied: [Applied]
        /// What was merged, in order (for `isvc check --explain`).
        var layers: [LLMProvenance.Layer] = []
        /// The user's spec after the controller's own changes (model.name), the templates' data.
        var service: LLMInferenceService
    }

    /// Why the controller would stop: its condition message, and which field to point at.
    struct Failure: Error, Sendable {
        var message: String
        var path: [String]
        var rule: LLMRule
        /// Where the failing text was written, when it is known more precisely than `path`.
        var at: SourceLocation? = nil
    }

    static let systemNamespace = "kserve"
    static let presetPrefix = "kserve-"

    init(config: ClusterConfig, inputConfigs: [LLMInferenceService]) {
        self.config = config
        var all: [String: LLMInferenceService] = [:]
        for preset in LLMPresets.all { all["\(Self.systemNamespace)/\(preset.name)"] = preset }
        for c in inputConfigs { all["\(c.namespace)/\(c.name)"] = c }
        configs = all
    }

    /// `getConfig`: the service's namespace first, then `kserve`.
    func lookup(_ name: String, for service: LLMInferenceService) throws(Failure) -> LLMInferenceService {
        if let c = configs["\(service.namespace)/\(name)"] ?? configs["\(Self.systemNamespace)/\(name)"] { return c }
        throw Failure(
            message: "LLMInferenceServiceConfig \"\(name)\" not found in namespaces [\(service.namespace) \(Self.systemNamespace)]",
            path: ["baseRefs"], rule: .configNotFound)
    }

    func merge(_ base: Value, _ override: Value) throws(Failure) -> Value {
        do {
            return try StrategicMerge.merge(base, Self.settingDefaults(override))
        } catch {
            throw Failure(
                message: "failed to merge specs: map: \(error.path) does not contain declared merge key: \(error.key)",
                path: [], rule: .merge)
        }
    }

    /// `LLMInferenceServiceSpec.SetDefaults`: pod templates without containers get an empty list.
    static func settingDefaults(_ spec: Value) -> Value {
        var s = spec
        for path in [["template"], ["worker"], ["prefill", "template"], ["prefill", "worker"], ["router", "scheduler", "template"]] {
            if case .object = s[path: path] ?? .null, s[path: path + ["containers"]] == nil {
                s[path: path + ["containers"]] = .array([])
            }
        }
        return s
    }

    func combine(_ original: LLMInferenceService) throws(Failure) -> Combined {
        var service = original
        // The defaulting webhook: model.name is the object's name when empty.
        if (service.spec[path: ["model", "name"]]?.string ?? "").isEmpty {
            service.spec[path: ["model", "name"]] = .string(service.name)
        }
        let baseRefs = (service.spec["baseRefs"]?.array ?? []).compactMap { $0["name"]?.string }
        // The pre-pass: each baseRef merged over the spec, to know what is enabled.
        var resolved = service.spec
        for ref in baseRefs { resolved = try merge(resolved, try lookup(ref, for: service).spec) }
        if let name = resolved[path: ["model", "name"]], name != .null { service.spec[path: ["model", "name"]] = name }
        let selected = try selectPresets(resolved)
        var specs: [Value] = []
        var applied: [Applied] = []
        var layers: [LLMProvenance.Layer] = []
        for (i, name) in (selected + baseRefs).enumerated() {
            let c = try lookup(name, for: service)
            specs.append(c.spec)
            let source: Applied.Source = i < selected.count ? .preset : .userRef
            applied.append(Applied(name: name, namespace: c.namespace, source: source))
            layers.append(LLMProvenance.Layer(label: "\(source.rawValue) \(c.namespace)/\(name)", spec: c.spec))
        }
        specs.append(service.spec)
        layers.append(LLMProvenance.Layer(label: "the LLMInferenceService (\(service.location.file))", spec: service.spec))
        var merged = specs[0]
        for next in specs.dropFirst() { merged = try merge(merged, next) }
        merged = try LLMFixUps(service: service, config: config).apply(to: merged)
        return Combined(spec: merged, applied: applied, layers: layers, service: service)
    }

    /// The well-known presets the resolved spec calls for, in the controller's order.
    func selectPresets(_ spec: Value) throws(Failure) -> [String] {
        let p = Self.presetPrefix
        var refs: [String] = []
        let scheduler = spec[path: ["router", "scheduler"]]
        let hasScheduler = scheduler != nil && scheduler != .null
        let poolRef = !(scheduler?[path: ["pool", "ref", "name"]]?.string ?? "").isEmpty
        if hasScheduler, !poolRef { refs.append(p + "config-llm-scheduler") }
        if hasScheduler, LLMSchedulerConfig.usesTokenizer(spec) {
            throw unsupported("the scheduler's tokenizer (preset \(p)config-llm-tokenizer)", ["router", "scheduler"])
        }
        if LLMSchedulerConfig.usesLatencyPredictor(spec) {
            throw unsupported("the latency predictor (preset \(p)config-llm-scheduler-latency-predictor)", ["router", "scheduler"])
        }
        let route = spec[path: ["router", "route"]]
        if route != nil, route != .null, (route?[path: ["http", "refs"]]?.array ?? []).isEmpty {
            refs.append("kserve-config-llm-router-route")
        }
        if let t = spec["tracing"], t != .null { refs.append(p + "config-llm-tracing") }
        if let worker = spec["worker"], worker != .null {
            throw unsupported("multi-node workloads (spec.worker, a LeaderWorkerSet)", ["worker"])
        }
        if let prefill = spec["prefill"], prefill != .null {
            if let worker = prefill["worker"], worker != .null {
                throw unsupported("multi-node prefill workloads (spec.prefill.worker, a LeaderWorkerSet)", ["prefill", "worker"])
            }
            refs.append(p + "config-llm-prefill-template")
            refs.append(p + "config-llm-decode-template")
        } else {
            refs.append(p + "config-llm-template")
        }
        return refs
    }

    func unsupported(_ what: String, _ path: [String]) -> Failure {
        Failure(message: "isvc does not compile \(what) yet", path: path, rule: .unsupported)
    }
}
