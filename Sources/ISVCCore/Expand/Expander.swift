/// Stage 4: the validated spec expanded into the whole Knative-mode resource graph, in a fixed order:
/// per InferenceService, KServe's objects, then per component the chain Knative and net-istio build.
public enum Expander {
    public static func expand(_ spec: ValidatedSpec) -> Plan {
        var plan = Plan()
        for service in spec.services {
            plan.objects += expand(service, config: spec.config)
        }
        return plan
    }

    /// The objects of one InferenceService, so large inputs can be written as they are expanded.
    public static func expand(_ service: ValidatedService, config: ClusterConfig) -> [PlanObject] {
        var plan = Plan()
        let kserve = KServeObjects(config: config)
        let serving = KnativeServing(config: config)
        let networking = KnativeNetworking(config: config)
        let deployments = KnativeDeployment(config: config)
        // serving.kserve.io/stop: KServe deletes the component's objects.
        if service.annotations[Keys.stop] == "true" { return [] }
        do {
            let ns = service.namespace
            let isvcOrigin = "InferenceService \(ns)/\(service.name)"
            var ksvcs: [(ResolvedComponent, Value)] = []
            var componentHosts: [ComponentKind: String] = [:]
            for c in service.components {
                let ksvc = kserve.knativeService(c, of: service)
                ksvcs.append((c, ksvc))
                let routeLabels = KnativeServing.labels(ksvc, ["metadata", "labels"]).merging([Keys.knService: c.name]) { $1 }
                componentHosts[c.kind] = networking.urlHost(route: c.name, namespace: ns, labels: routeLabels)
                plan.objects.append(PlanObject(createdBy: Creator.kserve, origin: isvcOrigin, body: ksvc))
            }
            if let vs = kserve.topLevelVirtualService(service, hosts: componentHosts) {
                plan.objects.append(PlanObject(createdBy: Creator.kserve, origin: isvcOrigin, body: vs))
            }
            if let svc = kserve.externalNameService(service) {
                plan.objects.append(PlanObject(createdBy: Creator.kserve, origin: isvcOrigin, body: svc))
            }
            for (_, ksvc) in ksvcs {
                expandKnativeService(ksvc, into: &plan, serving: serving, networking: networking, deployments: deployments)
            }
        }
        return plan.objects
    }

    static func expandKnativeService(_ ksvc: Value, into plan: inout Plan, serving: KnativeServing,
                                     networking: KnativeNetworking, deployments: KnativeDeployment) {
        let name = ksvc[path: ["metadata", "name"]]?.string ?? ""
        let ns = ksvc[path: ["metadata", "namespace"]]?.string ?? ""
        func add(_ body: Value, from origin: String, by creator: String = Creator.knative, note: String? = nil) {
            plan.objects.append(PlanObject(createdBy: creator, origin: origin, note: note, body: body))
        }
        let configuration = serving.configuration(ksvc)
        add(configuration, from: "Service \(ns)/\(name)")
        let (revision, rev) = serving.revision(configuration)
        add(revision, from: "Configuration \(ns)/\(name)")
        let route = serving.route(ksvc)
        add(route, from: "Service \(ns)/\(name)")

        let port = KnativeDefaults.isH2C(rev.spec["containers"]?.array ?? []) ? 81 : 80
        let groups = KnativeNetworking.groups(traffic: route[path: ["spec", "traffic"]]?.array ?? [],
                                              configuration: name, latest: rev.name)
        let (ingress, rules) = networking.ingress(route: route, groups: groups, port: port)
        add(ingress, from: "Route \(ns)/\(name)")
        for vs in networking.virtualServices(ingress: ingress, rules: rules, port: port) {
            add(vs, from: "Ingress \(ns)/\(name)", by: Creator.netIstio)
        }
        for svc in networking.routeServices(route: route, groups: groups) {
            add(svc, from: "Route \(ns)/\(name)")
        }
        add(serving.podAutoscaler(rev), from: "Revision \(ns)/\(rev.name)")
        add(serving.metric(rev), from: "PodAutoscaler \(ns)/\(rev.name)")
        add(serving.serverlessService(rev), from: "PodAutoscaler \(ns)/\(rev.name)")
        for svc in serving.revisionServices(rev) {
            add(svc, from: "ServerlessService \(ns)/\(rev.name)")
        }
        let (deployment, note) = deployments.deployment(rev)
        add(deployment, from: "Revision \(ns)/\(rev.name)", note: note)
    }
}
