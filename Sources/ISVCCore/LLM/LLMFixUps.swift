/// What `combineBaseRefsConfig` does to the merged spec after the merge, in its order: the pool's
/// selector and the EPP's service account when unset, the Go-template rendering of the whole config,
/// the managed route's parentRefs from `gateway.refs`, its backends when there is no scheduler or a
/// referenced pool, and the pool's endpoint-picker port.
struct LLMFixUps {
    let service: LLMInferenceService
    let config: ClusterConfig

    typealias Failure = LLMConfigCombiner.Failure

    /// `GetWorkloadLabelSelector`: the labels every workload pod of the service carries.
    static func workloadSelector(_ name: String) -> [String: String] {
        ["app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/name": name, "kserve.io/component": "workload"]
    }

    func apply(to merged: Value) throws(Failure) -> Value {
        var spec = merged
        let name = service.name
        if let pool = spec[path: ["router", "scheduler", "pool", "spec"]], case .object = pool,
            (pool[path: ["selector", "matchLabels"]]?.object ?? [:]).isEmpty
        {
            spec[path: ["router", "scheduler", "pool", "spec", "selector", "matchLabels"]] = Value(Self.workloadSelector(name))
        }
        if case .object = spec[path: ["router", "scheduler", "template"]] ?? .null,
            (spec[path: ["router", "scheduler", "template", "serviceAccountName"]]?.string ?? "").isEmpty
        {
            spec[path: ["router", "scheduler", "template", "serviceAccountName"]] = .string(ChildName.make(name, "-epp-sa"))
        }
        spec = try LLMTemplateRendering(service: service, config: config).render(spec)
        let hasRouteSpec = isSet(spec[path: ["router", "route", "http", "spec"]])
        let gatewayRefs = spec[path: ["router", "gateway", "refs"]]?.array ?? []
        if hasRouteSpec, !gatewayRefs.isEmpty {
            spec[path: ["router", "route", "http", "spec", "parentRefs"]] = .array(gatewayRefs.map(Self.parentRef))
        }
        let scheduler = spec[path: ["router", "scheduler"]]
        let poolRef = scheduler?[path: ["pool", "ref", "name"]]?.string ?? ""
        if hasRouteSpec, !isSet(scheduler) {
            rewriteDefaultBackends(&spec) { ref in
                ref["group"] = ""
                ref["kind"] = "Service"
                ref["name"] = .string(ChildName.make(name, "-kserve-workload-svc"))
            }
        } else if hasRouteSpec, !poolRef.isEmpty {
            rewriteDefaultBackends(&spec) { $0["name"] = .string(poolRef) }
        }
        if isSet(scheduler?["config"]), isSet(scheduler?[path: ["config", "ref"]]) {
            throw Failure(
                message: "isvc does not read the scheduler's config ConfigMap (spec.router.scheduler.config.ref) yet; use config.inline",
                path: ["router", "scheduler", "config", "ref"], rule: .unsupported)
        }
        if case .object = spec[path: ["router", "scheduler", "pool", "spec"]] ?? .null {
            let picker = ["router", "scheduler", "pool", "spec", "endpointPickerRef"]
            let kind = spec[path: picker + ["kind"]]?.string ?? ""
            if (spec[path: picker + ["port", "number"]]?.int ?? 0) == 0, kind == "Service" || kind.isEmpty {
                spec[path: picker + ["port"]] = ["number": 9002]
            }
        }
        return spec
    }

    func isSet(_ v: Value?) -> Bool {
        guard let v else { return false }
        return v != .null
    }

    /// `ToParentRefs`: a Gateway parentRef per ref, its namespace only when the ref has one.
    static func parentRef(_ ref: Value) -> Value {
        var p: Value = ["group": "gateway.networking.k8s.io", "kind": "Gateway", "name": ref["name"] ?? ""]
        if let ns = ref["namespace"]?.string, !ns.isEmpty { p["namespace"] = .string(ns) }
        if let section = ref["sectionName"], section != .null { p["sectionName"] = section }
        return p
    }

    /// `isDefaultBackendRef`: a backend of kind InferencePool named as the service's default pool.
    func rewriteDefaultBackends(_ spec: inout Value, _ change: (inout Value) -> Void) {
        let pool = ChildName.make(service.name, "-inference-pool")
        let path = ["router", "route", "http", "spec", "rules"]
        guard var rules = spec[path: path]?.array else { return }
        for i in rules.indices {
            guard var refs = rules[i]["backendRefs"]?.array else { continue }
            for j in refs.indices where refs[j]["kind"]?.string == "InferencePool" && refs[j]["name"]?.string == pool {
                change(&refs[j])
            }
            rules[i]["backendRefs"] = .array(refs)
        }
        spec[path: path] = .array(rules)
    }
}
