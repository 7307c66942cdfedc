/// What Knative Serving builds from a Knative Service: Configuration, Revision, Route
/// (`pkg/reconciler/service/resources`, `configuration/resources/revision.go`), and the
/// PodAutoscaler, Metric and ServerlessService of the revision (`revision/resources/pa.go`,
/// `autoscaling/resources/{metric,sks}.go`).
struct KnativeServing {
    let config: ClusterConfig

    struct RevisionRef {
        var name: String
        var namespace: String
        var labels: [String: String]
        var annotations: [String: String]
        var spec: [String: Value]
    }

    static func labels(_ v: Value, _ path: [String]) -> [String: String] {
        (v[path: path]?.object ?? [:]).compactMapValues(\.string)
    }

    func configuration(_ ksvc: Value) -> Value {
        let name = ksvc[path: ["metadata", "name"]]?.string ?? ""
        let ns = ksvc[path: ["metadata", "namespace"]]?.string ?? ""
        var labels = Self.labels(ksvc, ["metadata", "labels"])
        labels[Keys.knService] = name
        labels[Keys.knServiceUID] = Meta.uid(apiVersion: "serving.knative.dev/v1", kind: "Service", namespace: ns, name: name)
        var annotations = Self.labels(ksvc, ["metadata", "annotations"])
        annotations[Keys.lastApplied] = nil
        annotations[Keys.knRolloutDuration] = nil
        annotations[Keys.knRoutes] = name
        return Meta.object(
            apiVersion: "serving.knative.dev/v1", kind: "Configuration", name: name, namespace: ns,
            labels: labels, annotations: annotations,
            owner: Meta.ownerReference(apiVersion: "serving.knative.dev/v1", kind: "Service", namespace: ns, name: name),
            spec: ["template": ksvc[path: ["spec", "template"]] ?? [:]])
    }

    /// The revision a generation of the Configuration creates (`-00001` for the first).
    func revision(_ configuration: Value, generation: Int = 1) -> (Value, RevisionRef) {
        let configName = configuration[path: ["metadata", "name"]]?.string ?? ""
        let ns = configuration[path: ["metadata", "namespace"]]?.string ?? ""
        let name = ChildName.make(configName, "-" + String(generation).leftPadded(to: 5))
        var labels = Self.labels(configuration, ["spec", "template", "metadata", "labels"])
        labels[Keys.knConfiguration] = configName
        labels[Keys.knConfigurationGeneration] = String(generation)
        labels[Keys.knConfigurationUID] = Meta.uid(
            apiVersion: "serving.knative.dev/v1", kind: "Configuration", namespace: ns, name: configName)
        let configLabels = Self.labels(configuration, ["metadata", "labels"])
        labels[Keys.knService] = configLabels[Keys.knService]
        labels[Keys.knServiceUID] = configLabels[Keys.knServiceUID]
        labels[Keys.knRoutingState] = "active"
        var annotations = Self.labels(configuration, ["spec", "template", "metadata", "annotations"])
        annotations[Keys.knCreator] = Self.labels(configuration, ["metadata", "annotations"])[Keys.knLastModifier]
        annotations[Keys.knRoutes] = Self.labels(configuration, ["metadata", "annotations"])[Keys.knRoutes]
        let spec = configuration[path: ["spec", "template", "spec"]]?.object ?? [:]
        let body = Meta.object(
            apiVersion: "serving.knative.dev/v1", kind: "Revision", name: name, namespace: ns,
            labels: labels, annotations: annotations,
            owner: Meta.ownerReference(
                apiVersion: "serving.knative.dev/v1", kind: "Configuration",
                namespace: ns, name: configName),
            spec: .object(spec))
        return (body, RevisionRef(name: name, namespace: ns, labels: labels, annotations: annotations, spec: spec))
    }

    func route(_ ksvc: Value) -> Value {
        let name = ksvc[path: ["metadata", "name"]]?.string ?? ""
        let ns = ksvc[path: ["metadata", "namespace"]]?.string ?? ""
        var labels = Self.labels(ksvc, ["metadata", "labels"])
        labels[Keys.knService] = name
        var annotations = Self.labels(ksvc, ["metadata", "annotations"])
        annotations[Keys.lastApplied] = nil
        let traffic = (ksvc[path: ["spec", "traffic"]]?.array ?? []).map { target -> Value in
            var t = target
            if t["revisionName"] == nil { t["configurationName"] = .string(name) }
            return t
        }
        return Meta.object(
            apiVersion: "serving.knative.dev/v1", kind: "Route", name: name, namespace: ns,
            labels: labels, annotations: annotations,
            owner: Meta.ownerReference(apiVersion: "serving.knative.dev/v1", kind: "Service", namespace: ns, name: name),
            spec: ["traffic": .array(traffic)])
    }

    /// An existing revision, read back from an earlier compile.
    static func revisionRef(_ revision: Value) -> RevisionRef {
        RevisionRef(
            name: revision[path: ["metadata", "name"]]?.string ?? "",
            namespace: revision[path: ["metadata", "namespace"]]?.string ?? "",
            labels: labels(revision, ["metadata", "labels"]),
            annotations: labels(revision, ["metadata", "annotations"]),
            spec: revision["spec"]?.object ?? [:])
    }

    /// `makeLabels(rev)`: the labels of the revision's Deployment, pods and PodAutoscaler.
    static func childLabels(_ rev: RevisionRef) -> [String: String] {
        var l = rev.labels
        l[Keys.knRoute] = nil
        l[Keys.knRoutingState] = nil
        l[Keys.knRevision] = rev.name
        l[Keys.knRevisionUID] = Meta.uid(apiVersion: "serving.knative.dev/v1", kind: "Revision", namespace: rev.namespace, name: rev.name)
        if l["app"] == nil { l["app"] = rev.name }
        return l
    }

    static let excludedAnnotations: Set<String> = [
        "serving.knative.dev/lastPinned", "serving.knative.dev/no-gc",
        Keys.knRoutingStateModified, Keys.knRoutes,
    ]

    func podAutoscalerAnnotations(_ rev: RevisionRef) -> [String: String] {
        var a = rev.annotations.filter { !Self.excludedAnnotations.contains($0.key) }
        if a[Keys.autoscalingClass] == nil { a[Keys.autoscalingClass] = config.autoscaler.podAutoscalerClass }
        if a[Keys.autoscalingMetric] == nil {
            a[Keys.autoscalingMetric] = a[Keys.autoscalingClass] == "hpa.autoscaling.knative.dev" ? "cpu" : "concurrency"
        }
        return a
    }

    func podAutoscaler(_ rev: RevisionRef) -> Value {
        let containers = rev.spec["containers"]?.array ?? []
        var spec: Value = [
            "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(ChildName.make(rev.name, "-deployment"))],
            "reachability": "Reachable",
            "protocolType": .string(KnativeDefaults.isH2C(containers) ? "h2c" : "http1"),
        ]
        if let cc = rev.spec["containerConcurrency"]?.int, cc != 0 { spec["containerConcurrency"] = .int(cc) }
        return Meta.object(
            apiVersion: "autoscaling.internal.knative.dev/v1alpha1", kind: "PodAutoscaler", name: rev.name,
            namespace: rev.namespace, labels: Self.childLabels(rev), annotations: podAutoscalerAnnotations(rev),
            owner: revisionOwner(rev), spec: spec)
    }

    func metric(_ rev: RevisionRef) -> Value {
        let annotations = podAutoscalerAnnotations(rev)
        let stable = annotations["autoscaling.knative.dev/window"].flatMap(Durations.seconds) ?? config.autoscaler.stableWindowSeconds
        let pct =
            annotations["autoscaling.knative.dev/panic-window-percentage"].flatMap(Double.init)
            ?? config.autoscaler.panicWindowPercentage
        let panic = max(1, Int(saturating: (Double(stable) * pct / 100).rounded()))
        let tbc = annotations["autoscaling.knative.dev/target-burst-capacity"].flatMap(Double.init) ?? config.autoscaler.targetBurstCapacity
        return Meta.object(
            apiVersion: "autoscaling.internal.knative.dev/v1alpha1", kind: "Metric", name: rev.name,
            namespace: rev.namespace, labels: Self.childLabels(rev), annotations: annotations,
            owner: paOwner(rev),
            spec: [
                "stableWindow": .int(stable.saturatingMultiplied(by: 1_000_000_000)),
                "panicWindow": .int(panic.saturatingMultiplied(by: 1_000_000_000)),
                "scrapeTarget": .string(tbc == -1 ? "" : ChildName.make(rev.name, "-private")),
            ])
    }

    func serverlessService(_ rev: RevisionRef) -> Value {
        var annotations = podAutoscalerAnnotations(rev)
        annotations[Keys.autoscalingMetric] = nil
        let containers = rev.spec["containers"]?.array ?? []
        return Meta.object(
            apiVersion: "networking.internal.knative.dev/v1alpha1", kind: "ServerlessService", name: rev.name,
            namespace: rev.namespace, labels: Self.childLabels(rev), annotations: annotations,
            owner: paOwner(rev),
            spec: serverlessServiceSpec(rev, h2c: KnativeDefaults.isH2C(containers)))
    }

    /// The KPA puts the activator in the path (Proxy, two activators: isvc shows a revision before
    /// its first scale-up); the HPA class always serves directly (`ReconcileSKS(..., Serve, 0)`;
    /// `numActivators` 0 is omitted).
    func serverlessServiceSpec(_ rev: RevisionRef, h2c: Bool) -> Value {
        var spec: Value = [
            "mode": usesHPA(rev) ? "Serve" : "Proxy",
            "objectRef": [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "name": .string(ChildName.make(rev.name, "-deployment")),
            ],
            "protocolType": .string(h2c ? "h2c" : "http1"),
        ]
        if !usesHPA(rev) { spec["numActivators"] = 2 }
        return spec
    }

    /// The public (`<rev>`) and private (`<rev>-private`) Kubernetes Services of the ServerlessService.
    func revisionServices(_ rev: RevisionRef) -> [Value] {
        var annotations = podAutoscalerAnnotations(rev)
        annotations[Keys.autoscalingMetric] = nil
        let h2c = KnativeDefaults.isH2C(rev.spec["containers"]?.array ?? [])
        let queuePort = h2c ? 8013 : 8012
        func port(_ name: String, _ port: Int, _ target: Value, h2cApp: Bool = false) -> Value {
            var p: Value = ["name": .string(name), "protocol": "TCP", "port": .int(port), "targetPort": target]
            if h2cApp { p["appProtocol"] = "kubernetes.io/h2c" }
            return p
        }
        var publicLabels = Self.childLabels(rev)
        publicLabels[Keys.serverlessService] = rev.name
        var privateLabels = publicLabels
        publicLabels[Keys.serviceType] = "Public"
        privateLabels[Keys.serviceType] = "Private"
        let owner = Meta.ownerReference(
            apiVersion: "networking.internal.knative.dev/v1alpha1", kind: "ServerlessService",
            namespace: rev.namespace, name: rev.name)
        let publicService = Meta.object(
            apiVersion: "v1", kind: "Service", name: rev.name, namespace: rev.namespace, labels: publicLabels,
            annotations: annotations, owner: owner,
            spec: [
                "ports": [
                    port(h2c ? "http2" : "http", h2c ? 81 : 80, .int(queuePort), h2cApp: h2c),
                    port("https", 443, 8112),
                ]
            ])
        let revisionUID = Meta.uid(apiVersion: "serving.knative.dev/v1", kind: "Revision", namespace: rev.namespace, name: rev.name)
        let privateService = Meta.object(
            apiVersion: "v1", kind: "Service", name: ChildName.make(rev.name, "-private"), namespace: rev.namespace,
            labels: privateLabels, annotations: annotations, owner: owner,
            spec: [
                "selector": [Keys.knRevisionUID: .string(revisionUID)],
                "ports": [
                    port(h2c ? "http2" : "http", 80, .int(queuePort), h2cApp: h2c),
                    port("https", 443, 8112),
                    port("http-autometric", 9090, "http-autometric"),
                    port("http-usermetric", 9091, "http-usermetric"),
                    port(h2c ? "http2-istio" : "http-istio", queuePort, .int(queuePort)),
                ],
            ])
        return [publicService, privateService]
    }

    func revisionOwner(_ rev: RevisionRef) -> Value {
        Meta.ownerReference(apiVersion: "serving.knative.dev/v1", kind: "Revision", namespace: rev.namespace, name: rev.name)
    }

    func paOwner(_ rev: RevisionRef) -> Value {
        Meta.ownerReference(
            apiVersion: "autoscaling.internal.knative.dev/v1alpha1", kind: "PodAutoscaler",
            namespace: rev.namespace, name: rev.name)
    }
}
