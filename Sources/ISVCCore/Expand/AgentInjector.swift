/// KServe's pod webhook, agent part (`agent_injector.go`, `InjectAgent`): a pod whose annotations ask
/// for the logger, the batcher or the model puller gets the `agent` sidecar, which then stands between
/// the queue-proxy (Knative) or the Service (Standard) and the model server. Shown in the pod
/// template, as the storage initializer is.
struct AgentInjector {
    let config: ClusterConfig
    /// The predictor's logger: the webhook takes the storage and batching of every pod's logger from
    /// it (it reads `isvc.Spec.Predictor.Logger`, whichever component the pod belongs to).
    let predictorLogger: LoggerSpec?

    static let port = 9081
    static let containerName = "agent"

    /// A pod as the webhook receives it: its spec, annotations, labels and namespace. Its name is not
    /// known yet (the API server generates it after mutating admission), so `--source-uri` is empty and
    /// the agent uses its own default, `http://localhost:9081/`.
    func inject(into spec: inout [String: Value], annotations: [String: String], labels: [String: String], namespace: String) {
        let logger = annotations[Keys.loggerInternal] != nil
        let puller = annotations[Keys.agentInternal] != nil
        let batcher = annotations[Keys.batcherInternal] != nil
        guard logger || puller || batcher else { return }
        var containers = spec["containers"]?.array ?? []
        guard !containers.contains(where: { $0["name"]?.string == Self.containerName }) else { return }

        var args: [String] = []
        if puller {
            args.append("--enable-puller")
            if let dir = annotations[Keys.agentConfigMountPath] { args += ["--config-dir", dir] }
            if let dir = annotations[Keys.agentModelDir] { args += ["--model-dir", dir] }
        }
        if batcher {
            args.append("--enable-batcher")
            if let n = annotations[Keys.batcherMaxBatchSize] { args += ["--max-batchsize", n] }
            if let n = annotations[Keys.batcherMaxLatency] { args += ["--max-latency", n] }
        }
        if logger { args += loggerArgs(annotations: annotations, labels: labels, namespace: namespace) }

        // The queue-proxy's env is copied into the agent as it was; then the queue-proxy sends to the agent.
        var env: [Value] = []
        let queueIndex = containers.firstIndex { $0["name"]?.string == "queue-proxy" }
        if let q = queueIndex, case .object(var queue) = containers[q] {
            env = queue["env"]?.array ?? []
            queue["env"] = .array(env.map { $0["name"]?.string == "USER_PORT" ? ["name": "USER_PORT", "value": "9081"] : $0 })
            containers[q] = .object(queue)
        }
        let transformer = containers.firstIndex { $0["name"]?.string == "transformer-container" }
        args += ["--component-port", componentPort(containers, transformer: transformer)]

        var probePath = "/"
        if queueIndex == nil, let probe = containers[transformer ?? 0]["readinessProbe"],
            probe["httpGet"] != nil || probe["tcpSocket"] != nil
        {
            env.append(["name": "SERVING_READINESS_PROBE", "value": .string(GoJSON.probe(GoJSON.defaulted(probe)))])
            if let path = probe[path: ["httpGet", "path"]]?.string, !path.isEmpty { probePath = path }
        }
        var agent: [String: Value] = [
            "name": .string(Self.containerName),
            "image": .string(config.agent.image),
            "args": .array(args.map { .string($0) }),
            "resources": [
                "limits": ["cpu": .string(config.agent.cpuLimit), "memory": .string(config.agent.memoryLimit)],
                "requests": ["cpu": .string(config.agent.cpuRequest), "memory": .string(config.agent.memoryRequest)],
            ],
            "ports": [["name": "agent-port", "containerPort": .int(Self.port), "protocol": "TCP"]],
            "readinessProbe": [
                "httpGet": [
                    "httpHeaders": [["name": "K-Network-Probe", "value": "queue"]], "port": .int(Self.port),
                    "path": .string(probePath), "scheme": "HTTP",
                ]
            ],
        ]
        if let securityContext = containers.first?["securityContext"] { agent["securityContext"] = securityContext }
        if !env.isEmpty { agent["env"] = .array(env) }
        var volumes = spec["volumes"]?.array ?? []
        if logger, !config.logger.caBundle.isEmpty {
            volumes.append(["name": "agent-ca-bundle", "configMap": ["name": .string(config.logger.caBundle), "optional": true]])
            agent["volumeMounts"] = [["name": "agent-ca-bundle", "mountPath": "/etc/tls/logger", "readOnly": true]]
        }
        containers.append(.object(agent))
        if puller {
            mount(
                ["name": "model-dir", "emptyDir": [:]], at: "/mnt/models", into: [Self.containerName, "kserve-container"], &containers,
                &volumes)
            if let name = annotations[Keys.agentConfigVolumeName] {
                mount(
                    ["name": "model-config", "configMap": ["name": .string(name)]], at: "/mnt/configs", into: [Self.containerName],
                    &containers, &volumes)
            }
        }
        spec["containers"] = .array(containers)
        if !volumes.isEmpty { spec["volumes"] = .array(volumes) }
    }

    /// The logger's arguments, in the webhook's order.
    func loggerArgs(annotations: [String: String], labels: [String: String], namespace: String) -> [String] {
        var settings = config.logger
        var storage = settings.storage
        if let p = predictorLogger {
            storage = p.storage
            if let url = p.marshallerURL { settings.marshallerURL = url }
            if let n = p.batchSize { settings.batchSize = n }
            if let interval = p.batchInterval { settings.batchInterval = interval }
        }
        var args = [
            "--log-url", annotations[Keys.loggerSinkURL] ?? settings.defaultURL,
            "--source-uri", "",
            "--log-mode", annotations[Keys.loggerMode] ?? "all",
            "--inference-service", labels[Keys.inferenceService] ?? "",
            "--namespace", namespace,
            "--endpoint", labels[Keys.endpoint] ?? "",
            "--component", labels[Keys.component] ?? "",
        ]
        if let path = storage?.path, !path.isEmpty { args += ["--log-store-path", path] }
        if let format = storage?.parameters?["format"], !format.isEmpty { args += ["--log-store-format", format] }
        if !settings.marshallerURL.isEmpty { args += ["--log-marshaller-url", settings.marshallerURL] }
        if settings.batchSize > 0 { args += ["--log-batch-size", String(settings.batchSize)] }
        if !settings.batchInterval.isEmpty { args += ["--log-batch-interval", settings.batchInterval] }
        if let headers = annotations[Keys.loggerMetadataHeaders] { args += ["--metadata-headers", headers] }
        if let keys = annotations[Keys.loggerMetadataAnnotations] {
            // Each named annotation of the pod as key=value; names the pod lacks are left out.
            let pairs = keys.split(separator: ",", omittingEmptySubsequences: false).compactMap { key in
                annotations[String(key)].map { "\(key)=\($0)" }
            }
            args += ["--metadata-annotations", pairs.joined(separator: ",")]
        }
        if !settings.caCertFile.isEmpty { args += ["--logger-ca-cert-file", settings.caCertFile] }
        args += ["--logger-tls-skip-verify", settings.tlsSkipVerify ? "true" : "false"]
        return args
    }

    /// The port the agent forwards to: the transformer's first port, else the model server's, else 8080.
    func componentPort(_ containers: [Value], transformer: Int?) -> String {
        let container = transformer.map { containers[$0] } ?? containers.first { $0["name"]?.string == "kserve-container" }
        guard let port = container?["ports"]?.array?.first?["containerPort"]?.int else { return "8080" }
        return String(port)
    }

    /// `mountVolumeToContainer`: the volume once in the pod, mounted in the named containers.
    func mount(_ volume: Value, at path: String, into names: Set<String>, _ containers: inout [Value], _ volumes: inout [Value]) {
        if !volumes.contains(where: { $0["name"] == volume["name"] }) { volumes.append(volume) }
        for i in containers.indices where names.contains(containers[i]["name"]?.string ?? "") {
            var mounts = containers[i]["volumeMounts"]?.array ?? []
            mounts.append(["name": volume["name"] ?? "", "mountPath": .string(path)])
            containers[i]["volumeMounts"] = .array(mounts)
        }
    }
}
