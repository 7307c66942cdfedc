/// KServe's LLMInferenceService validating webhook (`llm_inference_service_validation.go`), over a
/// spec tree: the one the user wrote (at admission), and the one the controller builds by merging
/// its configs (its dry-run create runs the same webhook).
struct LLMWebhookRules {
    struct Finding: Sendable {
        /// The field path as the webhook names it, from `spec`.
        var path: [String]
        var message: String
        var rule: LLMRule
        var warning = false
    }

    let spec: Value

    /// The object's name, for the LoRA rule's default base model name.
    var name = ""

    func findings() -> [Finding] {
        router() + parallelism([], spec) + (isSet(spec["prefill"]) ? parallelism(["prefill"], spec["prefill"] ?? [:]) : []) + scheduler()
            + lora()
    }

    /// `ValidateLoRAAdapters`.
    func lora() -> [Finding] {
        guard let l = spec[path: ["model", "lora"]], l != .null else { return [] }
        let at = ["model", "lora"]
        var out: [Finding] = []
        for key in ["maxRank", "maxAdapters", "maxCpuAdapters"] {
            if let n = l[key]?.int, n < 1 { out.append(Finding(path: at + [key], message: "\(key) must be at least 1", rule: .lora)) }
        }
        let base = spec[path: ["model", "name"]]?.string ?? name
        var seen: [String: Int] = [:]
        for (i, adapter) in (l["adapters"]?.array ?? []).enumerated() {
            let here = at + ["adapters[\(i)]", "name"]
            guard let adapterName = adapter["name"]?.string, !adapterName.isEmpty else {
                out.append(Finding(path: here, message: "Required value: adapter name is required", rule: .lora))
                continue
            }
            if adapterName == "." || adapterName == ".." {
                out.append(Finding(path: here, message: "adapter name must not include \".\" or \"..\" (path traversal risk)", rule: .lora))
                continue
            }
            if let first = seen[adapterName] {
                out.append(Finding(path: here, message: "duplicate name (same as adapters[\(first)])", rule: .lora))
            } else {
                seen[adapterName] = i
            }
            if adapterName == base {
                out.append(Finding(path: here, message: "adapter name must differ from base model name \"\(base)\"", rule: .lora))
            }
        }
        return out
    }

    func isSet(_ v: Value?) -> Bool { v != nil && v != .null }

    static func field(_ path: [String]) -> String { (["spec"] + path).joined(separator: ".") }

    /// `validateRouterCrossFieldConstraints`.
    func router() -> [Finding] {
        guard let http = spec[path: ["router", "route", "http"]], http != .null else { return [] }
        let refs = http["refs"]?.array ?? []
        let routeSpec = http["spec"]
        let gateway = spec[path: ["router", "gateway"]]
        let gatewayRefs = gateway?["refs"]?.array ?? []
        let f = Self.field
        var out: [Finding] = []
        let httpPath = ["router", "route", "http"]
        if !refs.isEmpty, isSet(routeSpec) {
            out.append(
                Finding(
                    path: httpPath,
                    message:
                        "unsupported configuration: cannot use both custom HTTPRoute refs ('\(f(httpPath + ["refs"]))') and an inline route spec ('\(f(httpPath + ["spec"]))'); choose one",
                    rule: .router))
        }
        if !refs.isEmpty, isSet(gateway), gatewayRefs.isEmpty {
            out.append(
                Finding(
                    path: httpPath + ["refs"],
                    message:
                        "unsupported configuration: custom HTTP routes ('\(f(httpPath + ["refs"]))') cannot be used with a managed gateway ('\(f(["router", "gateway"]))'); either remove '\(f(httpPath + ["refs"]))' or set '\(f(["router", "gateway", "refs"]))'",
                    rule: .router))
        }
        let parentRefs = routeSpec?["parentRefs"]?.array ?? []
        if !parentRefs.isEmpty, !gatewayRefs.isEmpty {
            let specField = f(httpPath + ["spec"])
            let refsField = f(["router", "gateway", "refs"])
            if Self.keys(parentRefs) == Self.keys(gatewayRefs) {
                out.append(
                    Finding(
                        path: httpPath + ["spec", "parentRefs"],
                        message:
                            "\(specField).parentRefs can be omitted when \(refsField) is set; parentRefs will be derived automatically from gateway refs",
                        rule: .parentRefs, warning: true))
            } else {
                out.append(
                    Finding(
                        path: httpPath + ["spec"],
                        message:
                            "unsupported configuration: managed HTTP route spec ('\(specField)') has parentRefs that conflict with custom gateway refs ('\(refsField)'); either remove '\(refsField)' or '\(specField).parentRefs'",
                        rule: .router))
            }
        }
        return out
    }

    /// `parentRefsMatchGatewayRefs`: the same (namespace, name, sectionName) set.
    static func keys(_ refs: [Value]) -> [String] {
        refs.map { "\($0["namespace"]?.string ?? "")/\($0["name"]?.string ?? "")/\($0["sectionName"]?.string ?? "")" }.sorted()
    }

    /// `validateWorkloadParallelism` for the top-level workload or `prefill`.
    func parallelism(_ base: [String], _ workload: Value) -> [Finding] {
        let worker = isSet(workload["worker"])
        let needsParallelism =
            "when worker is specified, parallelism must be configured for either data parallelism or pipeline parallelism"
        guard let p = workload["parallelism"], p != .null else {
            return worker ? [Finding(path: base + ["worker"], message: needsParallelism, rule: .parallelism)] : []
        }
        let at = base + ["parallelism"]
        let data = p["data"]?.int
        let dataLocal = p["dataLocal"]?.int
        let pipeline = p["pipeline"]?.int
        let dataParallel = (data ?? 0) > 0 || (dataLocal ?? 0) > 0
        let pipelineParallel = (pipeline ?? 0) > 0
        var out: [Finding] = []
        if worker, !dataParallel, !pipelineParallel {
            out.append(Finding(path: base + ["worker"], message: needsParallelism, rule: .parallelism))
        }
        if dataParallel, pipelineParallel {
            out.append(
                Finding(
                    path: at, message: "cannot set both pipeline parallelism and data parallelism (data or dataLocal) simultaneously",
                    rule: .parallelism))
        }
        if data != nil, dataLocal == nil {
            out.append(Finding(path: at + ["dataLocal"], message: "dataLocal must be set when data is set", rule: .parallelism))
        }
        if dataLocal != nil, data == nil {
            out.append(Finding(path: at + ["data"], message: "data must be set when dataLocal is set", rule: .parallelism))
        }
        for (key, label) in [("pipeline", "pipeline parallelism"), ("data", "data parallelism"), ("dataLocal", "dataLocal parallelism")] {
            if let v = p[key]?.int, v <= 0 {
                out.append(Finding(path: at + [key], message: "\(label) must be greater than 0", rule: .parallelism))
            }
        }
        return out
    }

    /// `validateSchedulerConfig`.
    func scheduler() -> [Finding] {
        guard let s = spec[path: ["router", "scheduler"]], s != .null else { return [] }
        let at = ["router", "scheduler"]
        var out: [Finding] = []
        if let replicas = s["replicas"]?.int, replicas <= 0 {
            out.append(Finding(path: at + ["replicas"], message: "scheduler replicas must be greater than zero", rule: .scheduler))
        }
        guard let config = s["config"], config != .null else { return out }
        let inline = config["inline"]
        let ref = config["ref"]
        if !isSet(inline), !isSet(ref) {
            out.append(Finding(path: at + ["config"], message: "either inline or ref is required", rule: .scheduler))
        }
        if isSet(inline), isSet(ref) {
            out.append(
                Finding(path: at + ["config"], message: "both inline and ref are set, either specify inline or ref", rule: .scheduler))
        }
        if let inline, isSet(inline), LLMSchedulerConfig.inlineText(inline).utf8.count < 3 {
            out.append(Finding(path: at + ["config", "inline"], message: "inline configuration is invalid", rule: .scheduler))
        }
        if isSet(ref), (ref?["name"]?.string ?? "").isEmpty {
            out.append(Finding(path: at + ["config", "ref", "name"], message: "name is empty", rule: .scheduler))
        }
        return out
    }
}
