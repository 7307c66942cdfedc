/// `spec.tracing` (`tracing.go`): OpenTelemetry for vLLM (`--otlp-traces-endpoint`,
/// `--collect-detailed-traces all`) and for the EPP (`--tracing=true`), with the OTEL_* variables
/// added to each `main` container that does not set them already.
struct LLMTracing {
    let tracing: Value
    let namespace: String
    let service: String

    func string(_ key: String) -> String { tracing[key]?.string ?? "" }

    func resourceAttributes() -> [Value] {
        [
            ["name": "OTEL_RESOURCE_ATTRIBUTES_NODE_NAME", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "spec.nodeName"]]],
            ["name": "OTEL_RESOURCE_ATTRIBUTES_POD_NAME", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]]],
            [
                "name": "OTEL_RESOURCE_ATTRIBUTES",
                "value": .string(
                    "k8s.namespace.name=\(namespace),k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME),llmisvc.name=\(service)"
                ),
            ],
        ]
    }

    func variables(serviceName: String, endpoint: String) -> [Value] {
        [
            ["name": "OTEL_SERVICE_NAME", "value": .string(serviceName)],
            ["name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": .string(endpoint)],
            ["name": "OTEL_TRACES_EXPORTER", "value": .string(string("exporter"))],
            ["name": "OTEL_TRACES_SAMPLER", "value": .string(string("sampler"))],
            ["name": "OTEL_TRACES_SAMPLER_ARG", "value": .string(string("samplerArg"))],
        ] + resourceAttributes()
    }

    /// `hasArg`: the flag alone or as `flag=value`.
    static func hasArg(_ args: [Value], _ flag: String) -> Bool {
        args.contains { $0.string == flag || ($0.string ?? "").hasPrefix(flag + "=") }
    }

    /// `mergeEnvVars`: variables the container does not have, appended.
    static func merge(_ env: [Value], _ extra: [Value]) -> [Value] {
        let names = Set(env.compactMap { $0["name"]?.string })
        return env + extra.filter { !names.contains($0["name"]?.string ?? "") }
    }

    /// `injectServerTracingIntoPodSpec` on container `main`: nothing without an exporter endpoint.
    func server(_ pod: inout Value, roleSuffix: String) {
        let endpoint = string("exporterEndpoint")
        guard !endpoint.isEmpty, var containers = pod["containers"]?.array,
            let i = containers.firstIndex(where: { $0["name"]?.string == "main" })
        else { return }
        var args = containers[i]["args"]?.array ?? []
        if !Self.hasArg(args, "--otlp-traces-endpoint") { args += ["--otlp-traces-endpoint", .string(endpoint)] }
        if !Self.hasArg(args, "--collect-detailed-traces") { args += ["--collect-detailed-traces", "all"] }
        containers[i]["args"] = .array(args)
        let env = Self.merge(containers[i]["env"]?.array ?? [], variables(serviceName: "inference-server" + roleSuffix, endpoint: endpoint))
        containers[i]["env"] = .array(env)
        pod["containers"] = .array(containers)
    }

    /// `injectSchedulerTracing` on the EPP's main container.
    func scheduler(_ container: inout Value) {
        var args = container["args"]?.array ?? []
        if !Self.hasArg(args, "--tracing"), !Self.hasArg(args, "-tracing") { args.append("--tracing=true") }
        container["args"] = .array(args)
        let env = Self.merge(
            container["env"]?.array ?? [], variables(serviceName: "inference-scheduler", endpoint: string("exporterEndpoint")))
        container["env"] = .array(env)
    }
}
