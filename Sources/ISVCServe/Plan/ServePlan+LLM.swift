import ISVCCore

/// An LLMInferenceService's data path, read from its compiled objects: the vLLM workload Deployment
/// as a workload (its container `main`, a local process with its command), the HTTPRoute(s) as the
/// routes of the KServe gateway's listener (`kserve-ingress-gateway`, which serve runs on its one
/// port, for every host), and each InferencePool as an endpoint picker configured from the EPP
/// Deployment's `--config-text` (the EPP itself runs in process; its Deployment is not started).
extension ServePlan {
    /// An InferencePool's picker: the cluster its routes reach and the scheduling profile.
    public struct Pool: Sendable {
        public var namespace: String
        public var name: String
        public var config: EndpointPickerConfig
    }

    /// The cluster a route to Deployment `name` reaches: `outbound|<port>||<deployment host>` through
    /// a Service; through an InferencePool the pool's name in the cluster's subset field
    /// (`outbound|<port>|<pool>|<deployment host>`), so that only the pool's routes meet the picker.
    static func llmCluster(deployment: String, namespace: String, port: Int, pool: String? = nil) -> String {
        "outbound|\(port)|\(pool ?? "")|\(deployment).\(namespace).svc.cluster.local"
    }

    /// A request on a service whose route has no timeout is never cut (no queue-proxy stands in front
    /// of vLLM): a limit far beyond any stream.
    static let llmRequestTimeoutSeconds = 30 * 24 * 3600

    mutating func addLLMServices(_ objects: [PlanObject], autoscaler: AutoscalerConfig) {
        let llm = objects.filter { $0.origin.kind == "LLMInferenceService" }
        guard !llm.isEmpty else { return }
        func podLabels(_ d: PlanObject) -> [String: String] {
            (d.body[path: ["spec", "template", "metadata", "labels"]]?.object ?? [:]).compactMapValues(\.string)
        }
        let deployments = llm.filter { $0.kind == "Deployment" }
        let schedulers = deployments.filter { podLabels($0)["app.kubernetes.io/component"] == "llminferenceservice-router-scheduler" }
        let workloadDeployments = deployments.filter { d in !schedulers.contains { $0.name == d.name && $0.namespace == d.namespace } }
        for d in workloadDeployments {
            addLLMWorkload(d, autoscaler: autoscaler)
        }
        // Backends: a Service or an InferencePool selects the workload Deployments by pod labels.
        func selected(_ selector: [String: String], namespace: String) -> PlanObject? {
            let matching = workloadDeployments.filter { d in
                d.namespace == namespace && !selector.isEmpty && selector.allSatisfy { podLabels(d)[$0.key] == $0.value }
            }
            return matching.count == 1 ? matching[0] : nil
        }
        var clusters: [String: String] = [:]
        for object in llm {
            let selector: [String: String]
            let port: Int?
            switch (object.kind, object.body["apiVersion"]?.string) {
            case ("Service", _):
                selector = (object.body[path: ["spec", "selector"]]?.object ?? [:]).compactMapValues(\.string)
                port = object.body[path: ["spec", "ports"]]?.array?.first?["targetPort"]?.int
            case ("InferencePool", "inference.networking.k8s.io/v1"?):
                selector = (object.body[path: ["spec", "selector", "matchLabels"]]?.object ?? [:]).compactMapValues(\.string)
                port = object.body[path: ["spec", "targetPorts"]]?.array?.first?["number"]?.int
            default: continue
            }
            guard let d = selected(selector, namespace: object.namespace) else { continue }
            let pool = object.kind == "InferencePool" ? object.name : nil
            let cluster = Self.llmCluster(deployment: d.name, namespace: d.namespace, port: port ?? 8000, pool: pool)
            clusters["\(object.kind)/\(object.namespace)/\(object.name)"] = cluster
            guard object.kind == "InferencePool" else { continue }
            let scheduler = schedulers.first { $0.namespace == object.namespace && $0.origin == object.origin }
            let args = (scheduler?.body[path: ["spec", "template", "spec", "containers"]]?.array?.first?["args"]?.array ?? [])
                .compactMap(\.string)
            let config = scheduler == nil ? EndpointPickerConfig.upstreamDefault : EndpointPickerConfig(schedulerArgs: args)
            pools[cluster] = Pool(namespace: object.namespace, name: object.name, config: config)
            for line in config.unsupported { warnings.append("InferencePool \(object.namespace)/\(object.name): \(line)") }
        }
        var translation = HTTPRouteTranslation()
        for route in llm where route.kind == "HTTPRoute" {
            llmPaths[route.origin.name] = "/\(route.origin.namespace)/\(route.origin.name)"
            translation.add(route: route.body, namespace: route.namespace, name: route.name) { backend in
                let kind = backend.kind == "InferencePool" ? "InferencePool" : "Service"
                return clusters["\(kind)/\(backend.namespace)/\(backend.name)"]
            }
        }
        warnings += translation.unsupported
        if !translation.routes.isEmpty {
            router.addVirtualHost(name: "kserve-ingress-gateway", domains: ["*"], routes: translation.ordered)
            bodyBasedRouting = true
        }
    }

    /// The vLLM workload: container `main` run as a local process with its command, `spec.replicas`
    /// replicas (no autoscaler), a rolling update as its Deployment's strategy says.
    mutating func addLLMWorkload(_ d: PlanObject, autoscaler: AutoscalerConfig) {
        let template = d.body[path: ["spec", "template", "spec"]] ?? [:]
        let containers = template["containers"]?.array ?? []
        let main = containers.first { $0["name"]?.string == "main" } ?? containers.first ?? [:]
        let port = main["ports"]?.array?.first?["containerPort"]?.int ?? 8000
        let host = "\(d.name).\(d.namespace).svc.cluster.local"
        let replicas = d.body[path: ["spec", "replicas"]]?.int ?? 1
        if let uri = template["initContainers"]?.array?.first(where: { $0["name"]?.string == "storage-initializer" })?["args"]?
            .array?.first?.string
        {
            warnings.append(
                "LLMInferenceService \(d.origin.namespace)/\(d.origin.name): model \(uri) is not downloaded by isvc serve; "
                    + "the replicas of \(d.name) see an empty /mnt/models (a simulator needs none)")
        }
        workloads[host] = Workload(
            host: host, name: d.name, namespace: d.namespace, container: main, userPort: port, storageURI: nil,
            modelMountPath: "/mnt/models", containerConcurrency: 0, timeoutSeconds: Self.llmRequestTimeoutSeconds,
            autoscaling: KPASettings(
                config: autoscaler, annotations: [Keys.autoscalingClass: "hpa.autoscaling.knative.dev", Keys.minScale: String(replicas)],
                containerConcurrency: 0),
            inferenceService: d.origin.name, component: "workload", strategy: DeploymentStrategy(d.body[path: ["spec", "strategy"]]))
    }
}
