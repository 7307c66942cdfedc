/// The workload side of an LLMInferenceService (`workload.go`, `workload_single_node.go`,
/// `workload_storage.go`, `workload_tls_self_signed.go`): the self-signed certificate Secret, the
/// vLLM Deployment `<name>-kserve` and the workload Service `<name>-kserve-workload-svc`.
struct LLMWorkloadObjects {
    let service: ValidatedLLMService
    let config: ClusterConfig

    var name: String { service.name }
    var namespace: String { service.namespace }
    var spec: LLMServiceSpec { service.spec }

    static let partOf = "llminferenceservice"
    /// Annotations of the LLMInferenceService copied to the Deployment and its pods by prefix.
    static let annotationPrefixes = ["k8s.v1.cni.cncf.io", "kueue.x-k8s.io", "prometheus.io", "internal.serving.kserve.io/localmodel"]
    static let labelPrefixes = ["kueue.x-k8s.io", "internal.serving.kserve.io/localmodel"]
    static let modelBasedRoutingAnnotation = "serving.kserve.io/model-based-routing-enabled"

    var workloadLabels: [String: String] {
        [
            "app.kubernetes.io/component": "llminferenceservice-workload", "app.kubernetes.io/name": name,
            "app.kubernetes.io/part-of": Self.partOf,
        ]
    }

    /// The Secret the presets mount as `tls-certs`; its key and certificate are made in the cluster.
    func certificateSecret() -> Value {
        Meta.object(
            apiVersion: "v1", kind: "Secret", name: ChildName.make(name, "-kserve-self-signed-certs"), namespace: namespace,
            labels: workloadLabels, annotations: [:], owner: service.owner, spec: nil, extra: ["type": "kubernetes.io/tls"])
    }

    static func prefixed(_ map: [String: String], _ prefixes: [String]) -> [String: String] {
        map.filter { entry in prefixes.contains { entry.key.hasPrefix($0) } }
    }

    /// `expectedSingleNodeMainDeployment`: one label map for the Deployment, its selector and its
    /// pods (spec.labels included, as the shared Go map carries them into all three).
    func mainDeployment() -> Value {
        var labels = workloadLabels
        labels["kserve.io/component"] = "workload"
        labels["llm-d.ai/role"] = "both"
        let annotations = service.meta.annotations
        var podAnnotations = annotations.filter {
            ["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path", "prometheus.io/scheme"].contains($0.key)
        }
        let deploymentAnnotations = Self.prefixed(annotations, Self.annotationPrefixes)
        podAnnotations.merge(deploymentAnnotations) { $1 }
        labels.merge(Self.prefixed(service.meta.labels, Self.labelPrefixes)) { $1 }
        labels.merge(spec.labels) { $1 }
        podAnnotations.merge(spec.annotations.filter { $0.key != Self.modelBasedRoutingAnnotation }) { $1 }
        var pod = spec.template ?? [:]
        if spec.template != nil {
            LLMModelStorage(uri: spec.modelURI, enabled: spec.storageInitializerEnabled, config: config).attach(to: &pod, container: "main")
        }
        var deploymentSpec: Value = [
            "selector": ["matchLabels": Value(labels)],
            "template": ["metadata": ["labels": Value(labels)], "spec": pod],
        ]
        if !podAnnotations.isEmpty { deploymentSpec[path: ["template", "metadata", "annotations"]] = Value(podAnnotations) }
        if let replicas = spec.replicas { deploymentSpec["replicas"] = .int(replicas) }
        if let rollout = spec.rolloutStrategy {
            var update: Value = [:]
            for key in ["maxUnavailable", "maxSurge"] { if let v = rollout[key], v != .null { update[key] = v } }
            deploymentSpec["strategy"] = ["type": "RollingUpdate", "rollingUpdate": update]
        }
        return KubernetesDefaults.deployment(
            Meta.object(
                apiVersion: "apps/v1", kind: "Deployment", name: ChildName.make(name, "-kserve"), namespace: namespace,
                labels: labels, annotations: deploymentAnnotations, owner: service.owner, spec: deploymentSpec))
    }

    /// `reconcileWorkloadService`: port 8000 to every workload pod of the service.
    func workloadService() -> Value {
        let scheme = config.enableLLMInferenceServiceTLS ? "https" : "http"
        let labels = workloadLabels.merging(spec.labels) { $1 }
        return Meta.object(
            apiVersion: "v1", kind: "Service", name: ChildName.make(name, "-kserve-workload-svc"), namespace: namespace,
            labels: labels, annotations: spec.annotations.filter { $0.key != Self.modelBasedRoutingAnnotation },
            owner: service.owner,
            spec: [
                "type": "ClusterIP", "selector": Value(LLMFixUps.workloadSelector(name)),
                "ports": [["name": .string(scheme), "protocol": "TCP", "appProtocol": .string(scheme), "port": 8000, "targetPort": 8000]],
            ])
    }
}
