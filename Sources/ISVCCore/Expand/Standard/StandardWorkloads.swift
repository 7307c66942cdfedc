import Foundation

/// Standard (RawDeployment) mode's workloads per component, as KServe's raw reconcilers build them
/// (`reconcilers/{deployment,service,hpa,keda}`): a Deployment, a Service, and an autoscaler by the
/// `serving.kserve.io/autoscalerClass` annotation (hpa by default, keda, or none/external).
/// Who a Standard-mode workload belongs to: its namespace and owner reference, and the predictor's
/// logger (which the agent injector reads for every pod).
struct StandardOwner {
    var namespace: String
    var reference: Value
    var predictorLogger: LoggerSpec?
}

extension ValidatedService {
    var standardOwner: StandardOwner {
        StandardOwner(
            namespace: namespace,
            reference: Meta.ownerReference(
                apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", namespace: namespace, name: name),
            predictorLogger: isvc.predictor.ext.logger)
    }
}

struct StandardWorkloads {
    let config: ClusterConfig

    /// The labels KServe shares between the component's Deployment, pods, Service and autoscaler.
    static func labels(_ c: ResolvedComponent) -> [String: String] {
        c.labels.merging(["app": "isvc.\(c.name)"]) { $1 }
    }

    func objects(_ c: ResolvedComponent, of owner: StandardOwner, replicasOverride: Int? = nil) -> [(Value, String?)] {
        // The raw reconcilers read the component's merged metadata: its own annotations win over the isvc's.
        let cls = c.annotations[Keys.autoscalerClass]
        var out: [(Value, String?)] = []
        out.append(deployment(c, of: owner, autoscalerClass: cls))
        out.append((self.service(c, of: owner), nil))
        switch cls {
        case nil, "hpa": out.append((hpa(c, of: owner), nil))
        case "keda": out.append((scaledObject(c, of: owner), nil))
        default: break
        }
        return out
    }

    func deployment(_ c: ResolvedComponent, of owner: StandardOwner, autoscalerClass: String?) -> (Value, String?) {
        let labels = Self.labels(c)
        var pod = c.podSpec
        StorageInitializer(config: config).injectMultiple(
            c.storageUris, into: &pod,
            readOnly: c.annotations[Keys.storageReadonly] != "false")
        var containers = pod["containers"]?.array ?? []
        for i in containers.indices {
            guard case .object(var ct) = containers[i] else { continue }
            let name = ct["name"]?.string
            if name == "kserve-container" || name == "transformer-container", ct["readinessProbe"] == nil {
                let port = ct["ports"]?.array?.first?["containerPort"]?.int ?? 8080
                ct["readinessProbe"] = [
                    "tcpSocket": ["port": .int(port)], "timeoutSeconds": 1, "periodSeconds": 10,
                    "successThreshold": 1, "failureThreshold": 3,
                ]
            }
            if ct["terminationMessagePath"] == nil { ct["terminationMessagePath"] = "/dev/termination-log" }
            if ct["terminationMessagePolicy"] == nil { ct["terminationMessagePolicy"] = "File" }
            if ct["imagePullPolicy"] == nil { ct["imagePullPolicy"] = "IfNotPresent" }
            containers[i] = .object(ct)
        }
        pod["containers"] = .array(containers)
        for (k, v) in [
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
            "securityContext": [:], "schedulerName": "default-scheduler",
        ] as [String: Value] where pod[k] == nil {
            pod[k] = v
        }
        if !config.autoMountServiceAccountToken, pod["automountServiceAccountToken"] == nil {
            pod["automountServiceAccountToken"] = false
        }
        for flag in ["hostIPC", "hostNetwork", "hostPID"] where pod[flag] == .bool(false) { pod[flag] = nil }
        var podAnnotations = c.annotations
        var note: String?
        // KServe's pod webhook selects pods with the InferenceService label (an InferenceGraph's have none).
        if labels[Keys.inferenceService] != nil {
            PodMutators.gkeAccelerator(&pod, annotations: c.annotations)
            StorageInitializer(config: config).inject(into: &pod, annotations: c.annotations, note: &note)
            PodMutators.storageInitializerUID(&pod, annotations: c.annotations)
            AgentInjector(config: config, predictorLogger: owner.predictorLogger)
                .inject(into: &pod, annotations: c.annotations, labels: labels, namespace: owner.namespace)
            KnativeDeployment.metricsAggregator(&podAnnotations, spec: &pod, config: config)
        }
        var spec: Value = [
            "selector": ["matchLabels": ["app": .string("isvc.\(c.name)")]],
            "template": [
                "metadata": [
                    "name": .string(c.name), "namespace": .string(owner.namespace), "labels": Value(labels),
                    "annotations": Value(podAnnotations),
                ],
                "spec": .object(Quantities.normalizingContainers(pod)),
            ],
        ]
        if let strategy = c.ext.deploymentStrategy {
            spec["strategy"] = strategy.value
        } else {
            spec["strategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]]
            spec["revisionHistoryLimit"] = 10
            spec["progressDeadlineSeconds"] = 600
        }
        if autoscalerClass == "none" { spec["replicas"] = .int(c.ext.minReplicas?.value ?? 1) }
        let body = Meta.object(
            apiVersion: "apps/v1", kind: "Deployment", name: c.name, namespace: owner.namespace,
            labels: labels, annotations: c.annotations, owner: owner.reference, spec: spec)
        return (body, note)
    }

    /// The component's Service: its ports (`servicePorts`) to the pods of its Deployment.
    func service(_ c: ResolvedComponent, of owner: StandardOwner) -> Value {
        Meta.object(
            apiVersion: "v1", kind: "Service", name: c.name, namespace: owner.namespace,
            labels: Self.labels(c), annotations: c.annotations, owner: owner.reference,
            spec: ["selector": ["app": .string("isvc.\(c.name)")], "ports": .array(Self.servicePorts(c))])
    }

    /// KServe's raw Service ports: port 80 to the container's first port (8080 when it declares none;
    /// the agent's 9081 when a logger or batcher is configured), further ports 1:1; a port whose name
    /// contains `grpc` or `h2c` gets `appProtocol: kubernetes.io/h2c`. The container is the
    /// transformer-container when there is one, else the first.
    static func servicePorts(_ c: ResolvedComponent) -> [Value] {
        let containers = c.podSpec["containers"]?.array ?? []
        let container = containers.first { $0["name"]?.string == "transformer-container" } ?? containers.first ?? [:]
        var ports: [Value] = []
        let declared = container["ports"]?.array ?? []
        func port(_ number: Value, _ declared: Value) -> Value {
            let name = declared["name"]?.string ?? ""
            var p: Value = [
                "port": number, "targetPort": declared["containerPort"] ?? (number == 80 ? 8080 : 0),
                "protocol": declared["protocol"] ?? "TCP",
            ]
            if !name.isEmpty { p["name"] = .string(name) }
            if GRPCPorts.isGRPC(name: name) { p["appProtocol"] = "kubernetes.io/h2c" }
            return p
        }
        if let first = declared.first {
            ports.append(port(80, first))
            for extra in declared.dropFirst() { ports.append(port(extra["containerPort"] ?? 0, extra)) }
        } else {
            ports.append(["name": .string(c.name), "port": 80, "targetPort": 8080, "protocol": "TCP"])
        }
        if c.ext.logger != nil || c.ext.batcher != nil { ports[0]["targetPort"] = 9081 }
        return ports
    }

    func hpa(_ c: ResolvedComponent, of owner: StandardOwner) -> Value {
        let minReplicas = max(c.ext.minReplicas?.value ?? 1, 1)
        let maxReplicas = max(c.ext.maxReplicas?.value ?? 0, minReplicas)
        var spec: Value = [
            "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(c.name)],
            "minReplicas": .int(minReplicas),
            "maxReplicas": .int(maxReplicas),
            "behavior": [:],
        ]
        if let metrics = hpaMetrics(c.ext) { spec["metrics"] = .array(metrics) }
        return Meta.object(
            apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: c.name, namespace: owner.namespace,
            labels: Self.labels(c), annotations: c.annotations, owner: owner.reference, spec: spec)
    }

    /// `getHPAMetrics`: from `autoScaling.metrics` (Resource ones), else scaleMetric/scaleTarget, else cpu 80.
    func hpaMetrics(_ ext: ComponentExtension) -> [Value]? {
        func resource(_ name: String, _ target: Value) -> Value {
            ["type": "Resource", "resource": ["name": .string(name), "target": target]]
        }
        if let autoScaling = ext.autoScaling {
            let metrics = (autoScaling.value["metrics"]?.array ?? []).compactMap { m -> Value? in
                guard m["type"]?.string == "Resource", let r = m["resource"], let name = r["name"]?.string else { return nil }
                var target = r["target"] ?? ["type": "Utilization"]
                if target["type"]?.string == "Utilization", target["averageUtilization"] == nil {
                    target["averageUtilization"] = name == "cpu" ? 80 : .null
                }
                return resource(name, target)
            }
            return metrics.isEmpty ? nil : metrics
        }
        let metric = ext.scaleMetric?.value ?? "cpu"
        if metric == "memory" {
            guard let t = ext.scaleTarget else { return nil }
            return [resource("memory", ["type": "Utilization", "averageUtilization": .int(t.value)])]
        }
        return [resource("cpu", ["type": "Utilization", "averageUtilization": .int(ext.scaleTarget?.value ?? 80)])]
    }

    func scaledObject(_ c: ResolvedComponent, of owner: StandardOwner) -> Value {
        let minReplicas = c.ext.minReplicas?.value ?? 1
        let maxReplicas = max(c.ext.maxReplicas?.value ?? 0, minReplicas)
        var triggers: [Value] = []
        for m in c.ext.autoScaling?.value["metrics"]?.array ?? [] {
            switch m["type"]?.string {
            case "Resource":
                let r = m["resource"] ?? [:]
                let name = r["name"]?.string ?? ""
                let target = r["target"] ?? [:]
                let type = target["type"]?.string ?? "Utilization"
                let value: String
                if type == "Utilization" {
                    value = (target["averageUtilization"]?.int).map(String.init) ?? (name == "cpu" ? "80" : "0")
                } else {
                    value = Self.text(target[type == "AverageValue" ? "averageValue" : "value"]) ?? "0"
                }
                triggers.append(["type": .string(name), "metricType": .string(type), "metadata": ["value": .string(value)]])
            case "External":
                let e = m["external"] ?? [:]
                var metadata: Value = [
                    "serverAddress": e[path: ["metric", "serverAddress"]] ?? "",
                    "query": e[path: ["metric", "query"]] ?? "",
                    "threshold": .string(Self.text(e[path: ["target", "value"]]) ?? "0"),
                ]
                if e[path: ["metric", "backend"]]?.string == "prometheus", let ns = e[path: ["metric", "namespace"]]?.string, !ns.isEmpty {
                    metadata["namespace"] = .string(ns)
                }
                var trigger: Value = ["type": e[path: ["metric", "backend"]] ?? "", "metadata": metadata]
                if let auth = e[path: ["authenticationRef", "authenticationRef", "name"]]?.string, !auth.isEmpty {
                    trigger["authenticationRef"] = ["name": .string(auth)]
                }
                triggers.append(trigger)
            default:
                break
            }
        }
        var spec: Value = [
            "scaleTargetRef": ["name": .string(c.name)],
            "minReplicaCount": .int(minReplicas),
            "maxReplicaCount": .int(maxReplicas),
            "triggers": .array(triggers),
        ]
        let behavior = c.ext.autoScaling?.value["behavior"]
        let down = behavior?[path: ["scaleDown", "stabilizationWindowSeconds"]] ?? .int(300)
        let up = behavior?[path: ["scaleUp", "stabilizationWindowSeconds"]] ?? .int(0)
        spec["advanced"] = [
            "horizontalPodAutoscalerConfig": [
                "behavior": [
                    "scaleDown": ["stabilizationWindowSeconds": down], "scaleUp": ["stabilizationWindowSeconds": up],
                ]
            ]
        ]
        return Meta.object(
            apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", name: c.name, namespace: owner.namespace,
            labels: Self.labels(c), annotations: c.annotations, owner: owner.reference, spec: spec)
    }

    static func text(_ v: Value?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return String(d)
        default: return nil
        }
    }
}
