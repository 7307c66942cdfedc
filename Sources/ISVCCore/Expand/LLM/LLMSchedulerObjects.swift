/// The managed endpoint picker of an LLMInferenceService (`scheduler.go`): its ServiceAccount and
/// RBAC, its Deployment and Service, and the InferencePool in both API versions of the Gateway API
/// Inference Extension.
struct LLMSchedulerObjects {
    let service: ValidatedLLMService
    let scheduler: LLMServiceSpec.Scheduler

    var name: String { service.name }
    var namespace: String { service.namespace }

    /// `SchedulerLabels`.
    var labels: [String: String] {
        [
            "app.kubernetes.io/component": "llminferenceservice-router-scheduler", "app.kubernetes.io/name": name,
            "app.kubernetes.io/part-of": LLMWorkloadObjects.partOf,
        ]
    }

    var serviceAccountName: String { ChildName.make(name, "-epp-sa") }
    var poolName: String { ChildName.make(name, "-inference-pool") }

    /// The EPP's objects in the controller's order.
    func objects() -> [Value] {
        var out: [Value] = []
        let templateAccount = scheduler.template?["serviceAccountName"]?.string ?? ""
        // A service account of the user's own is used as it is (and must exist); else the controller makes one.
        if templateAccount.isEmpty || templateAccount == serviceAccountName {
            out.append(object("v1", "ServiceAccount", serviceAccountName, spec: nil))
        }
        let account = templateAccount.isEmpty ? serviceAccountName : templateAccount
        let subject: Value = [["kind": "ServiceAccount", "name": .string(account), "namespace": .string(namespace)]]
        var binding = object(
            "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", ChildName.make(namespace, "-\(name)-epp-auth-rb"), spec: nil,
            extra: [
                "subjects": subject,
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:auth-delegator"],
            ])
        binding[path: ["metadata", "namespace"]] = nil
        binding[path: ["metadata", "ownerReferences"]] = nil
        out.append(binding)
        out.append(
            object("rbac.authorization.k8s.io/v1", "Role", ChildName.make(name, "-epp-role"), spec: nil, extra: ["rules": Self.rules]))
        out.append(
            object(
                "rbac.authorization.k8s.io/v1", "RoleBinding", ChildName.make(name, "-epp-rb"), spec: nil,
                extra: [
                    "subjects": subject,
                    "roleRef": [
                        "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(ChildName.make(name, "-epp-role")),
                    ],
                ]))
        out.append(deployment())
        out.append(eppService())
        out.append(object("inference.networking.k8s.io/v1", "InferencePool", poolName, spec: scheduler.poolSpec ?? [:]))
        out.append(
            object("inference.networking.x-k8s.io/v1alpha2", "InferencePool", poolName, spec: Self.v1alpha2Pool(scheduler.poolSpec ?? [:])))
        return out
    }

    func object(_ apiVersion: String, _ kind: String, _ objectName: String, spec: Value?, extra: [String: Value] = [:]) -> Value {
        Meta.object(
            apiVersion: apiVersion, kind: kind, name: objectName, namespace: namespace, labels: labels, annotations: [:],
            owner: service.owner, spec: spec, extra: extra)
    }

    static let rules: Value = [
        ["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]],
        [
            "apiGroups": ["inference.networking.k8s.io", "inference.networking.x-k8s.io"],
            "resources": ["inferencepools", "inferenceobjectives", "inferencemodels"], "verbs": ["get", "list", "watch"],
        ],
        [
            "apiGroups": ["inference.networking.x-k8s.io"], "resources": ["inferencemodelrewrites", "inferencepoolimports"],
            "verbs": ["get", "list", "watch"],
        ],
        ["apiGroups": ["llm-d.ai"], "resources": ["inferenceobjectives", "inferencemodelrewrites"], "verbs": ["get", "list", "watch"]],
        ["apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]],
        [
            "apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        ],
    ]

    /// `expectedSchedulerDeployment`: Recreate, one label map for the Deployment, its selector and
    /// its pods (with `scheduler.labels`), the config as `--config-text` on container `main`.
    func deployment() -> Value {
        var podLabels = labels
        podLabels.merge(scheduler.labels) { $1 }
        var pod = scheduler.template ?? [:]
        if var containers = pod["containers"]?.array, let main = containers.firstIndex(where: { $0["name"]?.string == "main" }) {
            var args = containers[main]["args"]?.array ?? []
            let leaderElection = args.contains { $0.string == "--ha-enable-leader-election" || $0.string == "-ha-enable-leader-election" }
            if (scheduler.replicas ?? 0) > 1, !leaderElection { args.append("--ha-enable-leader-election") }
            args += configArgs(containers).map(Value.string)
            let version = scheduler.annotations["app.kubernetes.io/version"]
            for i in args.indices.dropLast() where LLMSchedulerConfig.inlineFlags.contains(args[i].string ?? "") {
                args[i + 1] = .string(LLMSchedulerConfig.rewritten(args[i + 1].string ?? "", version: version))
            }
            containers[main]["args"] = .array(args)
            if let t = LLMServiceSpec.present(service.spec.tree["tracing"]) {
                LLMTracing(tracing: t, namespace: namespace, service: name).scheduler(&containers[main])
            }
            pod["containers"] = .array(containers)
        }
        var spec: Value = [
            "strategy": ["type": "Recreate"], "selector": ["matchLabels": Value(podLabels)],
            "template": ["metadata": ["labels": Value(podLabels)], "spec": pod],
        ]
        if !scheduler.annotations.isEmpty { spec[path: ["template", "metadata", "annotations"]] = Value(scheduler.annotations) }
        if let replicas = scheduler.replicas { spec["replicas"] = .int(replicas) }
        var body = object("apps/v1", "Deployment", ChildName.make(name, "-kserve-router-scheduler"), spec: spec)
        body[path: ["metadata", "labels"]] = Value(podLabels)
        return KubernetesDefaults.deployment(body)
    }

    /// `preserveSchedulerConfig` on a first reconcile: the inline config, nothing when the template
    /// already passes one, else KServe's default.
    func configArgs(_ containers: [Value]) -> [String] {
        if let inline = scheduler.inlineConfig { return ["--config-text", LLMSchedulerConfig.inlineText(inline)] }
        if LLMSchedulerConfig.flag(in: containers) != nil { return [] }
        return ["--config-text", LLMSchedulerConfig.text(disaggregated: service.spec.prefill != nil, lora: !service.lora.isEmpty)]
    }

    /// `expectedSchedulerService`: the template's ports named grpc, grpc-health, metrics and zmq,
    /// sorted by name, each to its port name.
    func eppService() -> Value {
        let wanted: Set<String> = ["grpc", "grpc-health", "metrics", "zmq"]
        var ports: [String: Value] = [:]
        for container in scheduler.template?["containers"]?.array ?? [] {
            for port in container["ports"]?.array ?? [] {
                guard let portName = port["name"]?.string, wanted.contains(portName) else { continue }
                var p: Value = ["name": .string(portName), "port": port["containerPort"] ?? 0, "targetPort": .string(portName)]
                if let proto = port["protocol"], proto != .null { p["protocol"] = proto }
                ports[portName] = p
            }
        }
        let name = scheduler.poolSpec?[path: ["endpointPickerRef", "name"]]?.string ?? ""
        return object(
            "v1", "Service", name.isEmpty ? ChildName.make(self.name, "-epp-service") : name,
            spec: ["selector": Value(labels), "ports": .array(ports.keys.sorted().compactMap { ports[$0] })])
    }

    /// GIE's `InferencePool.ConvertFrom` (v1 to v1alpha2): the selector as a map, the first target
    /// port, the endpoint picker as `extensionRef`.
    static func v1alpha2Pool(_ spec: Value) -> Value {
        var out: Value = [:]
        out["selector"] = spec[path: ["selector", "matchLabels"]] ?? [:]
        if let port = spec["targetPorts"]?.array?.first?["number"] { out["targetPortNumber"] = port }
        if let picker = spec["endpointPickerRef"], case .object = picker {
            var ref: Value = [:]
            for key in ["group", "kind", "name", "failureMode"] { if let v = picker[key], v != .null { ref[key] = v } }
            if let number = picker[path: ["port", "number"]] { ref["portNumber"] = number }
            out["extensionRef"] = ref
        }
        return out
    }
}
