/// The managed HTTPRoute of an LLMInferenceService (`router.go` `expectedHTTPRoute`): the merged
/// route spec, without its model-routing matches when model-based routing is off, with the default
/// pool's backends pointing at the v1alpha2 InferencePool group as on a fresh cluster (KServe moves
/// them to the v1 group once the gateway accepts it, and marks the route migrated).
struct LLMRouteObjects {
    let service: ValidatedLLMService
    let config: ClusterConfig

    var labels: [String: String] {
        var l = [
            "app.kubernetes.io/component": "llminferenceservice-router", "app.kubernetes.io/name": service.name,
            "app.kubernetes.io/part-of": LLMWorkloadObjects.partOf,
        ]
        if let group = service.spec.tree[path: ["router", "route", "group"]]?.string { l["serving.kserve.io/routing-group"] = group }
        return l
    }

    /// `isModelBasedRoutingEnabled` with no Gateway objects to read (none says "false").
    var modelBasedRouting: Bool {
        guard !config.modelBasedRoutingHeaderName.isEmpty,
            service.spec.annotations[LLMWorkloadObjects.modelBasedRoutingAnnotation] == "true"
        else { return false }
        return config.modelBasedRoutingMode != "disabled"
    }

    func httpRoute() -> Value? {
        guard let route = service.spec.router?.route, route.httpRefs.isEmpty, let httpSpec = route.httpSpec else { return nil }
        var spec = httpSpec
        var rules = spec["rules"]?.array ?? []
        if !modelBasedRouting {
            rules = stripModelRouting(rules)
        } else {
            rules = LLMLoRA.expandMatches(
                rules, adapters: service.lora, namespace: service.namespace, header: config.modelBasedRoutingHeaderName)
        }
        if let scheduler = service.spec.router?.scheduler, scheduler.poolRef == nil {
            let pool = ChildName.make(service.name, "-inference-pool")
            for i in rules.indices {
                guard var refs = rules[i]["backendRefs"]?.array else { continue }
                for j in refs.indices where refs[j]["kind"]?.string == "InferencePool" && refs[j]["name"]?.string == pool {
                    refs[j]["group"] = "inference.networking.x-k8s.io"
                }
                rules[i]["backendRefs"] = .array(refs)
            }
        }
        spec["rules"] = .array(rules)
        return Meta.object(
            apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", name: ChildName.make(service.name, "-kserve-route"),
            namespace: service.namespace, labels: labels, annotations: [:], owner: service.owner, spec: spec)
    }

    /// `stripModelBasedRoutingRules`: matches on the model header go; a rule left without matches goes.
    func stripModelRouting(_ rules: [Value]) -> [Value] {
        let header = config.modelBasedRoutingHeaderName
        return rules.compactMap { rule in
            let kept = (rule["matches"]?.array ?? []).filter { match in
                !(match["headers"]?.array ?? []).contains { $0["name"]?.string == header }
            }
            guard !kept.isEmpty else { return nil }
            var r = rule
            r["matches"] = .array(kept)
            return r
        }
    }
}
