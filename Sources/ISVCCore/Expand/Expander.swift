/// Stage 4: the validated spec expanded into the whole Knative-mode resource graph, in a fixed order:
/// per InferenceService, KServe's objects, then per component the chain Knative and net-istio build.
public enum Expander {
    public static func expand(_ spec: ValidatedSpec, previous: PreviousState? = nil) -> Plan {
        var plan = Plan()
        for service in spec.services {
            plan.objects += expand(service, config: spec.config, previous: previous)
        }
        for graph in spec.graphs {
            plan.objects += expand(graph, config: spec.config, previous: previous)
        }
        for llm in spec.llmServices {
            plan.objects += expand(llm, config: spec.config)
        }
        return plan
    }

    /// The objects of one InferenceService, so large inputs can be written as they are expanded.
    public static func expand(_ service: ValidatedService, config: ClusterConfig, previous: PreviousState? = nil) -> [PlanObject] {
        // serving.kserve.io/stop: KServe deletes the component's objects.
        if Keys.stopped(service.annotations) { return [] }
        if service.mode == .standard { return expandStandard(service, config: config) }
        var plan = Plan()
        let kserve = KServeObjects(config: config)
        let serving = KnativeServing(config: config)
        let networking = KnativeNetworking(config: config)
        let deployments = KnativeDeployment(config: config, predictorLogger: service.isvc.predictor.ext.logger)
        let ns = service.namespace
        let isvcOrigin = service.ref
        var ksvcs: [(ResolvedComponent, Value)] = []
        var componentHosts: [ComponentKind: String] = [:]
        for c in service.components {
            let rolledOut = previous?.component(namespace: ns, name: c.name)?.rolledOutRevision
            let ksvc = kserve.knativeService(c, of: service, rolledOut: rolledOut)
            ksvcs.append((c, ksvc))
            let routeLabels = KnativeServing.labels(ksvc, ["metadata", "labels"]).merging([Keys.knService: c.name]) { $1 }
            componentHosts[c.kind] = networking.urlHost(route: c.name, namespace: ns, labels: routeLabels)
            plan.objects.append(PlanObject(createdBy: .kserve, origin: isvcOrigin, body: ksvc))
        }
        if let vs = kserve.topLevelVirtualService(service, hosts: componentHosts) {
            plan.objects.append(PlanObject(createdBy: .kserve, origin: isvcOrigin, body: vs))
        }
        if let svc = kserve.externalNameService(service) {
            plan.objects.append(PlanObject(createdBy: .kserve, origin: isvcOrigin, body: svc))
        }
        if let config = ModelConfig.configMap(service, owner: kserve.isvcOwner(service)) {
            plan.objects.append(PlanObject(createdBy: .kserve, origin: isvcOrigin, body: config))
        }
        for (_, ksvc) in ksvcs {
            expandKnativeService(
                ksvc, into: &plan, serving: serving, networking: networking, deployments: deployments,
                previous: previous)
        }
        return plan.objects
    }

    /// The generation a Knative Service's Configuration is at: the previous one when the revision
    /// template is unchanged (Knative creates a revision only when it changes), else one more.
    static func generation(of ksvc: Value, previous: PreviousState.Component?) -> Int {
        guard let previous else { return 1 }
        let template = ksvc[path: ["spec", "template"]] ?? [:]
        return TemplateChanges.paths(from: previous.template, to: template).isEmpty ? previous.generation : previous.generation + 1
    }

    static func expandKnativeService(
        _ ksvc: Value, into plan: inout Plan, serving: KnativeServing,
        networking: KnativeNetworking, deployments: KnativeDeployment,
        previous: PreviousState?
    ) {
        let name = ksvc[path: ["metadata", "name"]]?.string ?? ""
        let ns = ksvc[path: ["metadata", "namespace"]]?.string ?? ""
        func add(_ body: Value, from origin: Value, by creator: Creator = .knative, note: String? = nil) {
            plan.objects.append(PlanObject(createdBy: creator, from: origin, note: note, body: body))
        }
        let configuration = serving.configuration(ksvc)
        add(configuration, from: ksvc)
        let prior = previous?.component(namespace: ns, name: name)
        let (revision, rev) = serving.revision(configuration, generation: generation(of: ksvc, previous: prior))
        add(revision, from: configuration)
        // Earlier revisions the traffic still routes to (the canary's `prev`), as the cluster has them.
        var routed: [KnativeServing.RevisionRef] = [rev]
        var revisionBodies = [rev.name: revision]
        for target in ksvc[path: ["spec", "traffic"]]?.array ?? [] {
            guard let old = target["revisionName"]?.string, old != rev.name, !routed.contains(where: { $0.name == old }),
                let oldRevision = prior?.revisions[old]
            else { continue }
            add(oldRevision, from: configuration, note: "an earlier revision, still routed")
            routed.append(KnativeServing.revisionRef(oldRevision))
            revisionBodies[old] = oldRevision
        }
        let route = serving.route(ksvc)
        add(route, from: ksvc)

        let port = KnativeDefaults.isH2C(rev.spec["containers"]?.array ?? []) ? 81 : 80
        let groups = KnativeNetworking.groups(
            traffic: route[path: ["spec", "traffic"]]?.array ?? [],
            configuration: name, latest: rev.name)
        let (ingress, rules) = networking.ingress(route: route, groups: groups, port: port)
        add(ingress, from: route)
        for vs in networking.virtualServices(ingress: ingress, rules: rules, port: port) {
            add(vs, from: ingress, by: .netIstio)
        }
        for svc in networking.routeServices(route: route, groups: groups) {
            add(svc, from: route)
        }
        for rev in routed {
            let revisionBody = revisionBodies[rev.name] ?? [:]
            let podAutoscaler = serving.podAutoscaler(rev)
            let serverlessService = serving.serverlessService(rev)
            add(podAutoscaler, from: revisionBody)
            if serving.usesHPA(rev) {
                add(serving.horizontalPodAutoscaler(rev), from: podAutoscaler)
            } else {
                add(serving.metric(rev), from: podAutoscaler)
            }
            add(serverlessService, from: podAutoscaler)
            for svc in serving.revisionServices(rev) {
                add(svc, from: serverlessService)
            }
            let (deployment, note) = deployments.deployment(rev)
            add(deployment, from: revisionBody, note: note)
        }
    }
}

extension Expander {
    /// Standard mode: per component (and canary) a Deployment, a Service and an autoscaler, then the
    /// Ingress or the HTTPRoutes.
    static func expandStandard(_ service: ValidatedService, config: ClusterConfig) -> [PlanObject] {
        let origin = service.ref
        let workloads = StandardWorkloads(config: config)
        var objects: [PlanObject] = []
        // The stable predictor's minimum shrinks by the ready canaries' replicas (KServe, when minReplicas is set).
        var components = service.components
        if let stableMin = components[0].ext.minReplicas?.value, !service.canaries.isEmpty {
            let used = service.canaries.compactMap { $0.ext.minReplicas?.value }.reduce(0) { $0.saturatingAdding($1) }
            components[0].ext.minReplicas?.value = max(stableMin.saturatingAdding(used == .min ? .max : -used), 1)
        }
        for c in components + service.canaries {
            for (body, note) in workloads.objects(c, of: service.standardOwner) {
                objects.append(PlanObject(createdBy: .kserve, origin: origin, note: note, body: body))
            }
        }
        for body in StandardIngress(config: config).objects(service) {
            objects.append(PlanObject(createdBy: .kserve, origin: origin, body: body))
        }
        if let body = ModelConfig.configMap(service, owner: service.standardOwner.reference) {
            objects.append(PlanObject(createdBy: .kserve, origin: origin, body: body))
        }
        return objects
    }
}

extension ValidatedService {
    /// The InferenceService's identity, the origin of what KServe creates for it.
    var ref: ObjectRef {
        ObjectRef(apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", namespace: namespace, name: name)
    }
}
