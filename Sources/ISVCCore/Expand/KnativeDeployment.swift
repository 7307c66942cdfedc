import Foundation

/// The Deployment Knative creates for a revision (`revision/resources/deploy.go`, `queue.go`): the user
/// container(s) with Knative's additions and the queue-proxy sidecar; then the mutation KServe's pod
/// webhook applies to the pods (storage initializer), shown in the pod template.
struct KnativeDeployment {
    let config: ClusterConfig
    /// The InferenceService's predictor logger, which the agent injector reads for every component.
    var predictorLogger: LoggerSpec? = nil

    func deployment(_ rev: KnativeServing.RevisionRef) -> (Value, note: String?) {
        var spec = rev.spec
        let containersIn = spec["containers"]?.array ?? []
        let serving = KnativeDefaults.servingContainerIndex(containersIn)
        let userPort = KnativeDefaults.userPort(containersIn)
        let h2c = KnativeDefaults.isH2C(containersIn)
        let timeout = spec["timeoutSeconds"]?.int ?? config.revisionTimeoutSeconds

        let user = userContainers(containersIn, serving: serving, userPort: userPort, rev: rev)
        let queue = queueProxy(rev, userPort: userPort, h2c: h2c, userProbe: user.userReadinessProbe, timeout: timeout)
        let containers = user.containers + [queue]
        spec["containers"] = .array(containers)
        spec["terminationGracePeriodSeconds"] = .int(timeout)
        if spec["affinity"] == nil { spec["affinity"] = Self.revisionAntiAffinity(rev.name) }
        for key in ["timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds", "containerConcurrency"] {
            spec[key] = nil
        }
        var podAnnotations = rev.annotations.filter {
            !KnativeServing.excludedAnnotations.contains($0.key) && !$0.key.hasPrefix(Keys.autoscalingPrefix)
        }
        let deploymentAnnotations = podAnnotations
        podAnnotations[Keys.defaultContainer] = containersIn.indices.contains(serving) ? containersIn[serving]["name"]?.string : nil
        var note: String?
        let labels = KnativeServing.childLabels(rev)
        // KServe's pod webhook selects pods with the InferenceService label (an InferenceGraph's have none).
        if labels[Keys.inferenceService] != nil {
            PodMutators.gkeAccelerator(&spec, annotations: podAnnotations)
            StorageInitializer(config: config).inject(into: &spec, annotations: rev.annotations, note: &note)
            PodMutators.storageInitializerUID(&spec, annotations: podAnnotations)
            AgentInjector(config: config, predictorLogger: predictorLogger)
                .inject(into: &spec, annotations: podAnnotations, labels: labels, namespace: rev.namespace)
            Self.metricsAggregator(&podAnnotations, spec: &spec, config: config)
        }
        for flag in ["hostIPC", "hostNetwork", "hostPID"] where spec[flag] == .bool(false) { spec[flag] = nil }

        let uid = Meta.uid(apiVersion: "serving.knative.dev/v1", kind: "Revision", namespace: rev.namespace, name: rev.name)
        let initialScale = rev.annotations[Keys.initialScale].flatMap(Int.init) ?? config.autoscaler.initialScale
        let progressDeadline = rev.annotations[Keys.knProgressDeadline].flatMap(Durations.seconds) ?? config.progressDeadlineSeconds
        let body = Meta.object(
            apiVersion: "apps/v1", kind: "Deployment", name: ChildName.make(rev.name, "-deployment"), namespace: rev.namespace,
            labels: labels, annotations: deploymentAnnotations,
            owner: Meta.ownerReference(apiVersion: "serving.knative.dev/v1", kind: "Revision", namespace: rev.namespace, name: rev.name),
            spec: [
                "replicas": .int(initialScale),
                "selector": ["matchLabels": [Keys.knRevisionUID: .string(uid)]],
                "progressDeadlineSeconds": .int(progressDeadline),
                "revisionHistoryLimit": 0,
                "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0]],
                "template": ["metadata": ["labels": Value(labels), "annotations": Value(podAnnotations)], "spec": .object(spec)],
            ])
        return (body, note)
    }

    /// Knative's additions to the user containers: the serving container's port and PORT env, the
    /// K_* env, the drain hook, probes on the user port. Its readiness probe moves to the queue-proxy
    /// (returned), unless it is an exec probe.
    func userContainers(
        _ containersIn: [Value], serving: Int, userPort: Int, rev: KnativeServing.RevisionRef
    )
        -> (containers: [Value], userReadinessProbe: Value?)
    {
        var containers: [Value] = []
        var userReadinessProbe: Value?
        for (i, c) in containersIn.enumerated() {
            guard case .object(var ct) = c else { continue }
            var env = ct["env"]?.array ?? []
            if i == serving {
                ct["ports"] = [["name": "user-port", "containerPort": .int(userPort)]]
                env.append(["name": "PORT", "value": .string(String(userPort))])
                userReadinessProbe = ct["readinessProbe"]
                if let probe = ct["readinessProbe"], probe["exec"] == nil { ct["readinessProbe"] = nil }
            }
            env.append(["name": "K_REVISION", "value": .string(rev.name)])
            env.append(envVar("K_CONFIGURATION", rev.labels[Keys.knConfiguration] ?? ""))
            env.append(envVar("K_SERVICE", rev.labels[Keys.knService] ?? ""))
            ct["env"] = .array(env)
            ct["lifecycle"] = ["preStop": ["httpGet": ["port": 8022, "path": "/wait-for-drain"]]]
            if ct["terminationMessagePolicy"] == nil { ct["terminationMessagePolicy"] = "FallbackToLogsOnError" }
            if var live = ct["livenessProbe"] {
                if live["httpGet"] != nil { live[path: ["httpGet", "port"]] = .int(userPort) }
                if live["tcpSocket"] != nil { live[path: ["tcpSocket", "port"]] = .int(userPort) }
                ct["livenessProbe"] = live
            }
            containers.append(.object(ct))
        }
        return (containers, userReadinessProbe)
    }

    /// Knative's default: prefer spreading a revision's pods over nodes.
    static func revisionAntiAffinity(_ revision: String) -> Value {
        [
            "podAntiAffinity": [
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    [
                        "weight": 100,
                        "podAffinityTerm": [
                            "topologyKey": "kubernetes.io/hostname",
                            "labelSelector": ["matchLabels": [Keys.knRevision: .string(revision)]],
                        ],
                    ]
                ]
            ]
        ]
    }

    /// KServe's pod webhook, metrics part (`metrics_aggregate_injector.go`): both switches recorded on
    /// every pod (the ConfigMap's `metricsAggregator` values when the pod has none); with aggregation,
    /// the queue-proxy told where the model server's metrics are and given the aggregate port 9088
    /// (`aggr-metric`); with scraping, Prometheus's annotations on that port (else the queue-proxy's 9091).
    static func metricsAggregator(_ annotations: inout [String: String], spec: inout [String: Value], config: ClusterConfig) {
        let aggregate = annotations[Keys.enableMetricAggregation] ?? config.enableMetricAggregation
        annotations[Keys.enableMetricAggregation] = aggregate
        if aggregate == "true", var containers = spec["containers"]?.array,
            let q = containers.firstIndex(where: { $0["name"]?.string == "queue-proxy" })
        {
            var env = containers[q]["env"]?.array ?? []
            // utils.MergeEnvs: an existing variable takes the new value in place; the others are appended.
            for (name, value) in [
                ("KSERVE_CONTAINER_PROMETHEUS_METRICS_PORT", annotations["prometheus.kserve.io/port"] ?? "8080"),
                ("KSERVE_CONTAINER_PROMETHEUS_METRICS_PATH", annotations["prometheus.kserve.io/path"] ?? "/metrics"),
                ("AGGREGATE_PROMETHEUS_METRICS_PORT", "9088"),
            ] {
                if let i = env.firstIndex(where: { $0["name"]?.string == name }) {
                    env[i] = ["name": .string(name), "value": .string(value)]
                } else {
                    env.append(["name": .string(name), "value": .string(value)])
                }
            }
            containers[q]["env"] = .array(env)
            var ports = containers[q]["ports"]?.array ?? []
            if !ports.contains(where: { $0["name"]?.string == "aggr-metric" }) {
                ports.append(["name": "aggr-metric", "containerPort": 9088, "protocol": "TCP"])
            }
            containers[q]["ports"] = .array(ports)
            spec["containers"] = .array(containers)
        }
        let scrape = annotations[Keys.enablePrometheusScraping] ?? config.enablePrometheusScraping
        annotations[Keys.enablePrometheusScraping] = scrape
        if scrape == "true" {
            annotations["prometheus.io/port"] = aggregate == "true" ? "9088" : "9091"
            annotations["prometheus.io/path"] = "/metrics"
        }
    }

    /// An env var; empty values are left out as Go's `omitempty` leaves them out.
    func envVar(_ name: String, _ value: String) -> Value {
        value.isEmpty ? ["name": .string(name)] : ["name": .string(name), "value": .string(value)]
    }

    func queueProxy(_ rev: KnativeServing.RevisionRef, userPort: Int, h2c: Bool, userProbe: Value?, timeout: Int) -> Value {
        let queuePort = h2c ? 8013 : 8012
        var probe: Value = ["tcpSocket": ["port": .int(userPort), "host": "127.0.0.1"]]
        if let p = userProbe {
            if let http = p["httpGet"] {
                var h = http
                h["host"] = "127.0.0.1"
                if h["port"]?.int ?? 0 == 0 { h["port"] = .int(userPort) }
                if h["scheme"] == nil { h["scheme"] = "HTTP" }
                probe = ["httpGet": h]
            } else if let tcp = p["tcpSocket"] {
                let port = tcp["port"]?.int ?? 0
                probe = ["tcpSocket": ["port": .int(port == 0 ? userPort : port), "host": "127.0.0.1"]]
            }
            for k in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
                if let v = p[k] { probe[k] = v }
            }
        }
        var readiness: Value = ["httpGet": ["port": .int(queuePort), "httpHeaders": [["name": "K-Network-Probe", "value": "queue"]]]]
        for k in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            if let v = userProbe?[k] { readiness[k] = v }
        }
        let cc = rev.spec["containerConcurrency"]?.int ?? 0
        let env: [Value] = [
            envVar("SERVING_NAMESPACE", rev.namespace),
            envVar("SERVING_SERVICE", rev.labels[Keys.knService] ?? ""),
            envVar("SERVING_CONFIGURATION", rev.labels[Keys.knConfiguration] ?? ""),
            envVar("SERVING_REVISION", rev.name),
            envVar("QUEUE_SERVING_PORT", String(queuePort)),
            envVar("QUEUE_SERVING_TLS_PORT", "8112"),
            envVar("CONTAINER_CONCURRENCY", String(cc)),
            envVar("REVISION_TIMEOUT_SECONDS", String(timeout)),
            envVar("REVISION_RESPONSE_START_TIMEOUT_SECONDS", String(rev.spec["responseStartTimeoutSeconds"]?.int ?? 0)),
            envVar("REVISION_IDLE_TIMEOUT_SECONDS", String(rev.spec["idleTimeoutSeconds"]?.int ?? 0)),
            ["name": "SERVING_POD", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]]],
            ["name": "SERVING_POD_IP", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "status.podIP"]]],
            envVar("SERVING_LOGGING_CONFIG", ""),
            envVar("SERVING_LOGGING_LEVEL", ""),
            envVar("USER_PORT", String(userPort)),
            envVar("SYSTEM_NAMESPACE", "knative-serving"),
            envVar("SERVING_READINESS_PROBE", GoJSON.probe(probe)),
            ["name": "HOST_IP", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "status.hostIP"]]],
            envVar("ENABLE_HTTP2_AUTO_DETECTION", "false"),
            envVar("ENABLE_HTTP_FULL_DUPLEX", rev.annotations[Keys.httpFullDuplex]?.lowercased() == "enabled" ? "true" : "false"),
            envVar("ROOT_CA", ""),
            envVar("QUEUE_PROXY_TLS_MIN_VERSION", ""),
            envVar("QUEUE_PROXY_TLS_MAX_VERSION", ""),
            envVar("QUEUE_PROXY_TLS_CIPHER_SUITES", ""),
            envVar("QUEUE_PROXY_TLS_CURVE_PREFERENCES", ""),
            envVar("ENABLE_MULTI_CONTAINER_PROBES", "false"),
            envVar("OBSERVABILITY_CONFIG", Self.observabilityConfig),
        ]
        return [
            "name": "queue-proxy",
            "image": .string(config.queueSidecarImage),
            "resources": queueResources(rev.annotations),
            "ports": [
                ["name": "http-autometric", "containerPort": 9090],
                ["name": "http-usermetric", "containerPort": 9091],
                ["name": "queue-port", "containerPort": .int(queuePort)],
                ["name": "https-port", "containerPort": 8112],
            ],
            "readinessProbe": readiness,
            "securityContext": [
                "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
                "capabilities": ["drop": ["ALL"]], "seccompProfile": ["type": "RuntimeDefault"],
            ],
            "env": .array(env),
        ]
    }

    /// `createQueueResources`: config-deployment's queue-proxy resources, each overridden by its
    /// `queue.sidecar.serving.knative.dev/*` annotation when that parses as a quantity (the webhook
    /// rejects one that does not), in the canonical form Kubernetes writes it in.
    func queueResources(_ annotations: [String: String]) -> Value {
        var resources = config.queueSidecarResources
        for (name, path) in Self.queueResourceAnnotations {
            if let text = annotations["queue.sidecar.serving.knative.dev/" + name], let quantity = Quantities.canonical(text) {
                resources[path: path] = .string(quantity)
            }
        }
        return resources
    }

    static let queueResourceAnnotations: [(String, [String])] = [
        ("cpu-resource-request", ["requests", "cpu"]), ("cpu-resource-limit", ["limits", "cpu"]),
        ("memory-resource-request", ["requests", "memory"]), ("memory-resource-limit", ["limits", "memory"]),
        ("ephemeral-storage-resource-request", ["requests", "ephemeral-storage"]),
        ("ephemeral-storage-resource-limit", ["limits", "ephemeral-storage"]),
    ]

    /// Knative's OBSERVABILITY_CONFIG for the shipped (empty) config-observability.
    static let observabilityConfig =
        #"{"tracing":{"protocol":"none"},"metrics":{"protocol":"none"},"runtime":{"profiling":"disabled","exportInterval":15000000000},"requestMetrics":{"protocol":"none"},"requestLogTemplate":"{\"httpRequest\": {\"requestMethod\": \"{{.Request.Method}}\", \"requestUrl\": \"{{js .Request.RequestURI}}\", \"requestSize\": \"{{.Request.ContentLength}}\", \"status\": {{.Response.Code}}, \"responseSize\": \"{{.Response.Size}}\", \"userAgent\": \"{{js .Request.UserAgent}}\", \"remoteIp\": \"{{js .Request.RemoteAddr}}\", \"serverIp\": \"{{.Revision.PodIP}}\", \"referer\": \"{{js .Request.Referer}}\", \"latency\": \"{{.Response.Latency}}s\", \"protocol\": \"{{.Request.Proto}}\"}, \"traceId\": \"{{.TraceID}}\"}"}"#
}
