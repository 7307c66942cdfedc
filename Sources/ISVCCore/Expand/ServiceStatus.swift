/// An InferenceService's status as KServe's controller sets it once every component is Ready
/// (`PropagateStatus`, the ingress reconcilers): the URLs, each component's revisions and traffic as
/// its Knative Service reports them, and the conditions, all True. Read from the compiled objects, so
/// it says what the plan says. `lastTransitionTime` is left out (a cluster sets the time it happened).
enum ServiceStatus {
    static func object(_ service: ValidatedService, objects: [PlanObject], config: ClusterConfig) -> Value {
        let status = service.mode == .standard ? standard(service, config: config) : knative(service, objects: objects, config: config)
        return [
            "apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": ["name": .string(service.name), "namespace": .string(service.namespace)],
            "status": .object(status),
        ]
    }

    static func conditions(_ service: ValidatedService, knative: Bool) -> Value {
        var types = ["IngressReady", "Ready"]
        for c in service.components {
            let prefix = c.kind.rawValue.prefix(1).uppercased() + c.kind.rawValue.dropFirst()
            types.append("\(prefix)Ready")
            if knative { types += ["\(prefix)RouteReady", "\(prefix)ConfigurationReady"] }
        }
        // Knative's condition manager keeps conditions sorted by type.
        return .array(types.sorted().map { ["type": .string($0), "status": "True"] })
    }

    static func knative(_ service: ValidatedService, objects: [PlanObject], config: ClusterConfig) -> [String: Value] {
        let networking = KnativeNetworking(config: config)
        let ns = service.namespace
        var components: [String: Value] = [:]
        var hosts: [ComponentKind: String] = [:]
        for c in service.components {
            guard
                let route = objects.first(where: {
                    $0.kind == "Route" && $0.namespace == ns && $0.name == c.name
                        && $0.body["apiVersion"]?.string == "serving.knative.dev/v1"
                })
            else { continue }
            let labels = KnativeServing.labels(route.body, ["metadata", "labels"])
            let host = networking.urlHost(route: c.name, namespace: ns, labels: labels)
            hosts[c.kind] = host
            let revisions = objects.filter {
                $0.kind == "Revision" && $0.namespace == ns
                    && $0.body[path: ["metadata", "labels", Keys.knConfiguration]]?.string == c.name
            }.map(\.name)
            let latest = revisions.max() ?? ""
            var traffic: [Value] = []
            var rolledOut: String?
            for t in route.body[path: ["spec", "traffic"]]?.array ?? [] {
                let isLatest = t["latestRevision"] == .bool(true)
                let revision = isLatest ? latest : t["revisionName"]?.string ?? ""
                var entry: [String: Value] = [
                    "latestRevision": .bool(isLatest), "percent": t["percent"] ?? 0, "revisionName": .string(revision),
                ]
                if let tag = t["tag"]?.string {
                    entry["tag"] = .string(tag)
                    let tagged = networking.hostName(route: c.name, tag: tag)
                    entry["url"] = .string("http://" + networking.urlHost(route: tagged, namespace: ns, labels: labels))
                }
                // The latest ready revision with all the traffic is rolled out; during a canary the
                // rolled-out one is the revision tagged prev.
                if isLatest, t["percent"]?.int == 100 { rolledOut = latest }
                if t["tag"]?.string == "prev" { rolledOut = rolledOut ?? revision }
                traffic.append(.object(entry))
            }
            var status: [String: Value] = [
                "url": .string("http://\(host)"),
                "address": ["url": .string("http://\(c.name).\(ns).svc.cluster.local")],
                "latestCreatedRevision": .string(latest), "latestReadyRevision": .string(latest),
                "traffic": .array(traffic),
            ]
            if let rolledOut { status["latestRolledoutRevision"] = .string(rolledOut) }
            components[c.kind.rawValue] = .object(status)
        }
        let backend: ComponentKind = hosts[.transformer] != nil ? .transformer : .predictor
        let top = hosts[backend].map { KServeObjects.serviceHost(componentHost: $0, kind: backend) } ?? ""
        let scheme = top.hasSuffix(".svc.cluster.local") ? "http" : config.urlScheme
        var status: [String: Value] = [
            "url": .string("\(scheme)://\(top)"),
            "address": ["url": .string("http://\(service.name).\(ns).svc.cluster.local")],
            "components": .object(components), "conditions": conditions(service, knative: true),
            "deploymentMode": "Knative", "observedGeneration": 1,
        ]
        // getServiceUrl: with a pathTemplate, the path-based URL on the ingress domain.
        if config.pathTemplate != nil {
            switch PathTemplate.path(service.name, namespace: ns, config: config) {
            case .success(let path): status["url"] = .string("\(config.urlScheme)://\(config.ingressDomain)\(path)")
            case .failure: status["url"] = nil
            }
        }
        return status
    }

    static func standard(_ service: ValidatedService, config: ClusterConfig) -> [String: Value] {
        let ingress = StandardIngress(config: config)
        let ns = service.namespace
        var components: [String: Value] = [:]
        for c in service.components {
            var status: [String: Value] = ["address": ["url": .string("http://\(c.name).\(ns).svc.cluster.local")]]
            if !ingress.skipped(service) { status["url"] = .string("http://\(ingress.host(c.name, service))") }
            components[c.kind.rawValue] = .object(status)
        }
        let backend = service.component(.transformer) ?? service.component(.predictor)
        let inCluster = "http://\(backend?.name ?? service.name).\(ns).svc.cluster.local"
        return [
            "url": .string(ingress.skipped(service) ? inCluster : "\(config.urlScheme)://\(ingress.host(service.name, service))"),
            "address": ["url": .string(inCluster)],
            "components": .object(components), "conditions": conditions(service, knative: false),
            "deploymentMode": "Standard", "observedGeneration": 1,
        ]
    }
}
