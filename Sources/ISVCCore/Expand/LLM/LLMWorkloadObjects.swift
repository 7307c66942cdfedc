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
    /// pods (spec.labels included, as the shared Go map carries them into all three). With a
    /// routing sidecar (P/D decode), the pod runs as the workload's own service account and the
    /// sidecar learns its pool's name.
    func mainDeployment() -> Value {
        var labels = workloadLabels
        labels["kserve.io/component"] = "workload"
        labels["llm-d.ai/role"] = spec.prefill == nil ? "both" : "decode"
        var podAnnotations = service.meta.annotations.filter {
            ["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path", "prometheus.io/scheme"].contains($0.key)
        }
        var pod = spec.template ?? [:]
        if spec.template != nil {
            if Self.routingSidecarIndex(pod) != nil {
                pod["serviceAccountName"] = .string(mainServiceAccountName)
                if spec.router != nil { addPoolName(to: &pod) }
            }
            attachModel(to: &pod)
        }
        tracing?.server(&pod, roleSuffix: "-decode")
        return deployment(
            ChildName.make(name, "-kserve"), labels: &labels, podAnnotations: &podAnnotations, pod: pod,
            workload: (spec.replicas, spec.labels, spec.annotations, spec.rolloutStrategy))
    }

    /// `expectedPrefillMainDeployment`: the prefill workload, labelled for the prefill filter.
    func prefillDeployment(_ prefill: LLMServiceSpec.Prefill) -> Value {
        var labels = [
            "app.kubernetes.io/component": "llminferenceservice-workload-prefill", "app.kubernetes.io/name": name,
            "app.kubernetes.io/part-of": Self.partOf, "kserve.io/component": "workload", "llm-d.ai/role": "prefill",
        ]
        var podAnnotations: [String: String] = [:]
        var pod = prefill.template ?? [:]
        if prefill.template != nil {
            attachModel(to: &pod)
        }
        tracing?.server(&pod, roleSuffix: "-prefill")
        return deployment(
            ChildName.make(name, "-kserve-prefill"), labels: &labels, podAnnotations: &podAnnotations, pod: pod,
            workload: (prefill.replicas, prefill.labels, prefill.annotations, prefill.rolloutStrategy))
    }

    /// What both Deployments share: `propagateDeploymentMetadata`, the workload's labels and
    /// annotations on the pods, replicas and the rollout strategy.
    func deployment(
        _ deploymentName: String, labels: inout [String: String], podAnnotations: inout [String: String], pod: Value,
        workload: (replicas: Int?, labels: [String: String], annotations: [String: String], rollout: Value?)
    ) -> Value {
        let deploymentAnnotations = Self.prefixed(service.meta.annotations, Self.annotationPrefixes)
        podAnnotations.merge(deploymentAnnotations) { $1 }
        labels.merge(Self.prefixed(service.meta.labels, Self.labelPrefixes)) { $1 }
        labels.merge(workload.labels) { $1 }
        podAnnotations.merge(workload.annotations.filter { $0.key != Self.modelBasedRoutingAnnotation }) { $1 }
        var deploymentSpec: Value = [
            "selector": ["matchLabels": Value(labels)],
            "template": ["metadata": ["labels": Value(labels)], "spec": pod],
        ]
        if !podAnnotations.isEmpty { deploymentSpec[path: ["template", "metadata", "annotations"]] = Value(podAnnotations) }
        if let replicas = workload.replicas { deploymentSpec["replicas"] = .int(replicas) }
        if let rollout = workload.rollout {
            var update: Value = [:]
            for key in ["maxUnavailable", "maxSurge"] { if let v = rollout[key], v != .null { update[key] = v } }
            if update != [:] { deploymentSpec["strategy"] = ["type": "RollingUpdate", "rollingUpdate": update] }
        }
        return KubernetesDefaults.deployment(
            Meta.object(
                apiVersion: "apps/v1", kind: "Deployment", name: deploymentName, namespace: namespace,
                labels: labels, annotations: deploymentAnnotations, owner: service.owner, spec: deploymentSpec))
    }

    var tracing: LLMTracing? {
        LLMServiceSpec.present(spec.tree["tracing"]).map { LLMTracing(tracing: $0, namespace: namespace, service: name) }
    }

    /// `attachModelArtifacts` on container `main`: the model, then the LoRA adapters.
    func attachModel(to pod: inout Value) {
        LLMModelStorage(uri: spec.modelURI, enabled: spec.storageInitializerEnabled, config: config)
            .attach(to: &pod, container: "main", lora: service.lora)
        if spec.storageInitializerEnabled {
            LLMLoRA.attach(service.lora, to: &pod, namespace: namespace, limits: spec.tree[path: ["model", "lora"]])
        }
    }

    static let routingSidecar = "llm-d-routing-sidecar"

    static func routingSidecarIndex(_ pod: Value) -> Int? {
        pod["initContainers"]?.array?.firstIndex { $0["name"]?.string == routingSidecar }
    }

    /// The template's own service account when it names one, else `<name>-kserve`.
    var mainServiceAccountName: String {
        let own = spec.template?["serviceAccountName"]?.string ?? ""
        return own.isEmpty ? ChildName.make(name, "-kserve") : own
    }

    /// The routing sidecar's `INFERENCE_POOL_NAME`.
    func addPoolName(to pod: inout Value) {
        guard let i = Self.routingSidecarIndex(pod), var inits = pod["initContainers"]?.array else { return }
        let ref = spec.router?.scheduler?.poolRef
        let pool = ref ?? ChildName.make(name, "-inference-pool")
        inits[i]["env"] = .array((inits[i]["env"]?.array ?? []) + [["name": "INFERENCE_POOL_NAME", "value": .string(pool)]])
        pod["initContainers"] = .array(inits)
    }

    /// `reconcileSingleNodeMainServiceAccount`: with a routing sidecar, its ServiceAccount (unless the
    /// template names another one), a Role to read pods and InferencePools, and the binding.
    func sidecarAccess() -> [Value] {
        guard let template = spec.template, Self.routingSidecarIndex(template) != nil else { return [] }
        var out: [Value] = []
        let generated = ChildName.make(name, "-kserve")
        if mainServiceAccountName == generated {
            out.append(
                Meta.object(
                    apiVersion: "v1", kind: "ServiceAccount", name: generated, namespace: namespace, labels: workloadLabels,
                    annotations: [:], owner: service.owner, spec: nil))
        }
        let role = ChildName.make(name, "-kserve-role")
        let rules: Value = [
            ["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]],
            [
                "apiGroups": ["inference.networking.x-k8s.io", "inference.networking.k8s.io"], "resources": ["inferencepools"],
                "verbs": ["get", "list", "watch"],
            ],
        ]
        out.append(
            Meta.object(
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", name: role, namespace: namespace, labels: workloadLabels,
                annotations: [:], owner: service.owner, spec: nil, extra: ["rules": rules]))
        out.append(
            Meta.object(
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", name: ChildName.make(name, "-kserve-rb"),
                namespace: namespace, labels: workloadLabels, annotations: [:], owner: service.owner, spec: nil,
                extra: [
                    "subjects": [["kind": "ServiceAccount", "name": .string(mainServiceAccountName), "namespace": .string(namespace)]],
                    "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(role)],
                ]))
        return out
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
