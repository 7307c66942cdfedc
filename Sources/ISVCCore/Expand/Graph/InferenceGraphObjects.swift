/// What KServe's InferenceGraph controller creates (`pkg/controller/v1alpha1/inferencegraph`): the
/// router's pod (`createKnativeService`, `createInferenceGraphPodSpec`), as a Knative Service in
/// Knative mode, or through the raw reconciler as a Deployment, a Service and an autoscaler in
/// Standard mode (no Ingress, HTTPRoute or VirtualService in either mode).
struct InferenceGraphObjects {
    let config: ClusterConfig

    static let graphLabel = "serving.kserve.io/inferencegraph"
    static let kindLabel = "serving.kserve.io/kind"

    func owner(_ g: ValidatedGraph) -> Value {
        Meta.ownerReference(apiVersion: "serving.kserve.io/v1alpha1", kind: "InferenceGraph", namespace: g.namespace, name: g.name)
    }

    /// The router container: image and pull policy from inferenceservice-config's `router`, the graph
    /// as `--graph-json`, the spec's resources or the ConfigMap's, a locked-down securityContext, the
    /// readiness probe on /readyz:8080, and PROPAGATE_HEADERS when the ConfigMap names headers.
    func routerContainer(_ g: ValidatedGraph, name: String?) -> Value {
        let router = config.router
        var c: [String: Value] = [
            "image": .string(router.image),
            "args": ["--graph-json", .string(GraphJSON.spec(g))],
            "resources": resources(g.graph),
            "securityContext": [
                "privileged": false, "runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
                "capabilities": ["drop": ["ALL"]],
            ],
            "readinessProbe": [
                "httpGet": ["path": "/readyz", "port": 8080, "scheme": "HTTP"],
                "initialDelaySeconds": 5, "timeoutSeconds": 2, "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3,
            ],
        ]
        if let name { c["name"] = .string(name) }
        if !router.imagePullPolicy.isEmpty { c["imagePullPolicy"] = .string(router.imagePullPolicy) }
        if let headers = router.propagateHeaders {
            c["env"] = [["name": "PROPAGATE_HEADERS", "value": .string(headers.joined(separator: ","))]]
        }
        return .object(c)
    }

    /// `constructResourceRequirements`: the spec's limits and requests when it has any, else the ConfigMap's.
    func resources(_ g: InferenceGraph) -> Value {
        if let r = g.resources?.object, r.values.contains(where: { !($0.object?.isEmpty ?? true) || !($0.array?.isEmpty ?? true) }) {
            var out: [String: Value] = [:]
            for key in ["limits", "requests"] { if let v = r[key], !(v.object?.isEmpty ?? true) { out[key] = Quantities.normalized(v) } }
            return .object(out)
        }
        let router = config.router
        return [
            "limits": ["cpu": .string(router.cpuLimit), "memory": .string(router.memoryLimit)],
            "requests": ["cpu": .string(router.cpuRequest), "memory": .string(router.memoryRequest)],
        ]
    }

    /// The pod around the router: scheduling fields from the spec, no service account token.
    func podSpec(_ g: ValidatedGraph, containerName: String?) -> [String: Value] {
        let graph = g.graph
        var pod: [String: Value] = [
            "containers": [routerContainer(g, name: containerName)],
            "automountServiceAccountToken": false,
        ]
        if let a = graph.affinity, !(a.object?.isEmpty ?? true) { pod["affinity"] = a }
        if let t = graph.tolerations, !(t.array?.isEmpty ?? true) { pod["tolerations"] = t }
        if !config.router.imagePullSecrets.isEmpty {
            pod["imagePullSecrets"] = .array(config.router.imagePullSecrets.map { ["name": .string($0)] })
        }
        if !graph.nodeSelector.isEmpty { pod["nodeSelector"] = Value(graph.nodeSelector) }
        if let n = graph.nodeName, !n.isEmpty { pod["nodeName"] = .string(n) }
        if let s = graph.serviceAccountName, !s.isEmpty { pod["serviceAccountName"] = .string(s) }
        return pod
    }

    /// Knative mode: the Knative Service `<graph>`, as stored after Knative's defaulting webhook.
    func knativeService(_ g: ValidatedGraph) -> Value {
        let graph = g.graph
        var annotations = graph.meta.annotations
        // SetAutoScalingAnnotations, as for a component.
        if annotations[Keys.autoscalingClass] == nil { annotations[Keys.autoscalingClass] = Keys.kpaClass }
        if let t = graph.scaleTarget { annotations[Keys.autoscalingTarget] = String(t.value) }
        if let m = graph.scaleMetric { annotations[Keys.autoscalingMetric] = m.value }
        annotations[Keys.minScale] = String(graph.minReplicas?.value ?? 1)
        if let max = graph.maxReplicas, max.value != 0 { annotations[Keys.maxScale] = String(max.value) }
        // ValidateInitialScaleAnnotation drops a value Knative would refuse.
        if let v = annotations[Keys.initialScale], Int(v) == nil || (Int(v) == 0 && !config.autoscaler.allowZeroInitialScale) {
            annotations[Keys.initialScale] = nil
        }
        var ksvcAnnotations: [String: String] = [:]
        if let v = annotations.removeValue(forKey: Keys.enablePassthrough) { ksvcAnnotations[Keys.enablePassthrough] = v }
        ksvcAnnotations[Keys.knCreator] = Keys.kserveControllerUser
        ksvcAnnotations[Keys.knLastModifier] = Keys.kserveControllerUser
        var templateLabels = graph.meta.labels.filter { $0.key != Keys.visibility }
        templateLabels[Self.graphLabel] = g.name
        templateLabels[Self.kindLabel] = "InferenceGraph"
        var pod = podSpec(g, containerName: nil)
        pod["timeoutSeconds"] = .int(graph.timeout?.value ?? config.revisionTimeoutSeconds)
        KnativeDefaults.applyPodDefaults(&pod)
        let spec: Value = [
            "template": [
                "metadata": ["labels": Value(templateLabels), "annotations": Value(annotations)],
                "spec": .object(Quantities.normalizingContainers(pod)),
            ],
            "traffic": [["latestRevision": true, "percent": 100]],
        ]
        return Meta.object(
            apiVersion: "serving.knative.dev/v1", kind: "Service", name: g.name, namespace: g.namespace,
            labels: graph.meta.labels, annotations: ksvcAnnotations, owner: owner(g), spec: spec)
    }
}

extension InferenceGraphObjects {
    /// Standard mode: the raw reconciler's Deployment, Service and autoscaler for the router, named
    /// after the graph, with the graph's labels (plus `serving.kserve.io/inferencegraph`) and annotations.
    func standardObjects(_ g: ValidatedGraph) -> [(Value, String?)] {
        let graph = g.graph
        var labels = graph.meta.labels
        labels[Self.graphLabel] = g.name
        let component = ResolvedComponent(
            kind: .predictor, name: g.name, ext: ComponentExtension(graph: graph),
            podSpec: podSpec(g, containerName: g.name), labels: labels, annotations: graph.meta.annotations,
            runtime: nil, protocolVersion: nil, storageUri: nil, storageUris: [], location: graph.location)
        let owner = StandardOwner(
            namespace: g.namespace, reference: owner(g), predictorLogger: nil)
        return StandardWorkloads(config: config).objects(component, of: owner)
    }
}

extension ComponentExtension {
    /// The scaling fields an InferenceGraph shares with a component (`constructForRawDeployment`).
    init(graph: InferenceGraph) {
        minReplicas = graph.minReplicas
        maxReplicas = graph.maxReplicas
        scaleTarget = graph.scaleTarget
        scaleMetric = graph.scaleMetric
        labels = [:]
        annotations = [:]
        annotationLocations = [:]
    }
}

extension ValidatedGraph {
    /// The graph's identity, the origin of what KServe creates for it.
    var ref: ObjectRef {
        ObjectRef(apiVersion: "serving.kserve.io/v1alpha1", kind: "InferenceGraph", namespace: namespace, name: name)
    }
}

extension Expander {
    /// The objects of one InferenceGraph: in Knative mode its Knative Service and everything Knative
    /// and net-istio derive from it; in Standard mode the router's Deployment, Service and autoscaler.
    public static func expand(_ g: ValidatedGraph, config: ClusterConfig, previous: PreviousState? = nil) -> [PlanObject] {
        if Keys.stopped(g.graph.meta.annotations) { return [] }
        let objects = InferenceGraphObjects(config: config)
        if g.mode == .standard {
            return objects.standardObjects(g).map { PlanObject(createdBy: .kserve, origin: g.ref, note: $0.1, body: $0.0) }
        }
        var plan = Plan()
        let ksvc = objects.knativeService(g)
        plan.objects.append(PlanObject(createdBy: .kserve, origin: g.ref, body: ksvc))
        expandKnativeService(
            ksvc, into: &plan, serving: KnativeServing(config: config), networking: KnativeNetworking(config: config),
            deployments: KnativeDeployment(config: config, predictorLogger: nil), previous: previous)
        return plan.objects
    }
}
