/// The pipeline in one call: sources -> inputs -> validated spec -> plan, with one diagnostics collector.
public enum Compiler {
    public struct Options: Sendable {
        public var defaultNamespace = "default"
        public var mode: DeploymentMode?
        /// The state of an earlier rollout (`--previous`), for revisions and canary traffic.
        public var previous: PreviousState?
        public init() {}
    }

    public struct Result: Sendable {
        public var inputs: Inputs
        public var validated: ValidatedSpec
        public var plan: Plan
    }

    /// Validates everything, then expands and renders the InferenceServices in parallel batches and
    /// hands the rendered bytes to `write` in input order (nothing is expanded when there are errors).
    /// Memory stays flat for large inputs; `render` returns an object's bytes, or nil to leave it out.
    public static func compile(
        _ sources: [InputLoader.Source], options: Options, diagnostics: Diagnostics,
        render: @escaping @Sendable (PlanObject) -> [UInt8]?, write: ([UInt8]) -> Void
    ) {
        let inputs = InputLoader.load(sources, defaultNamespace: options.defaultNamespace, diagnostics: diagnostics)
        let validated = Validator.validate(inputs, mode: options.mode, previous: options.previous, diagnostics: diagnostics)
        guard !diagnostics.hasErrors else { return }
        if !inputs.istioDocuments.isEmpty {
            checkIstio(inputs, plan: Expander.expand(validated, previous: options.previous), diagnostics: diagnostics)
            guard !diagnostics.hasErrors else { return }
        }
        let services = validated.services
        let config = validated.config
        let batch = 256
        var start = 0
        while start < services.count {
            let chunk = Array(services[start..<min(start + batch, services.count)])
            let rendered = Parallel.map(chunk.count, threshold: 2) { i -> [UInt8] in
                var bytes: [UInt8] = []
                for object in Expander.expand(chunk[i], config: config, previous: options.previous) {
                    if let rendered = render(object) { bytes += rendered }
                }
                return bytes
            }
            for bytes in rendered { write(bytes) }
            start += chunk.count
        }
        for graph in validated.graphs {
            for object in Expander.expand(graph, config: config, previous: options.previous) {
                if let rendered = render(object) { write(rendered) }
            }
        }
        for llm in validated.llmServices {
            for object in Expander.expand(llm, config: config) {
                if let rendered = render(object) { write(rendered) }
            }
        }
    }

    /// Each InferenceService's status once every component is Ready, from the compiled objects
    /// (`--emit status`); a stopped one has none.
    public static func status(_ result: Result) -> [Value] {
        result.validated.services.filter { !Keys.stopped($0.annotations) }.map {
            ServiceStatus.object($0, objects: result.plan.objects, config: result.validated.config)
        }
            + result.validated.graphs.filter { !Keys.stopped($0.graph.meta.annotations) }.map {
                GraphStatus.object($0, config: result.validated.config)
            }
    }

    /// The ingress gateway's Envoy configuration for a compiled plan, as written out.
    public static func envoy(_ result: Result, options: EnvoyOptions) -> Value {
        envoyBootstrap(result, options: options).value
    }

    /// The ingress gateway's Envoy configuration for a compiled plan, typed (what `isvc serve` runs).
    public static func envoyBootstrap(_ result: Result, options: EnvoyOptions) -> Envoy.Bootstrap {
        let config = result.validated.config
        var servers = GatewayModel.knativeDefaults(config: config)
        var virtualServices = result.plan.objects.filter { $0.kind == "VirtualService" }.map(\.body)
        // Standard mode: the Kubernetes Ingress (class istio) and the HTTPRoutes, as istiod routes them.
        let ingresses = result.plan.objects.filter { $0.kind == "Ingress" && $0.apiVersion == "networking.k8s.io/v1" }
        if !ingresses.isEmpty {
            servers.append(.init(gateway: IngressConversion.ingressGateway, port: 80, listenerPort: 8080, hosts: ["*"]))
            virtualServices += ingresses.flatMap { IngressConversion.virtualServices(fromIngress: $0.body) }
        }
        // LLMInferenceService routes (to InferencePools) are not translated yet: the README says so.
        let routes = result.plan.objects.filter { $0.kind == "HTTPRoute" && $0.origin.kind != "LLMInferenceService" }
        if !routes.isEmpty {
            // KServe's Gateway API gateway is its own deployment listening on the Gateway's port 80.
            servers.append(.init(gateway: config.kserveIngressGateway, port: 80, listenerPort: 80, hosts: ["*"]))
            virtualServices += routes.map { IngressConversion.virtualService(fromHTTPRoute: $0.body) }
        }
        // Gateway objects from the input add their plain-HTTP servers (on the ingress gateway's pods,
        // Service port 80 is pod port 8080); TLS servers are not translated.
        for gw in result.inputs.istio where gw["kind"]?.string == "Gateway" {
            let name = "\(gw[path: ["metadata", "namespace"]]?.string ?? "default")/\(gw[path: ["metadata", "name"]]?.string ?? "")"
            for server in gw[path: ["spec", "servers"]]?.array ?? [] {
                let proto = server[path: ["port", "protocol"]]?.string?.uppercased() ?? "HTTP"
                guard ["HTTP", "HTTP2", "GRPC"].contains(proto), let port = server[path: ["port", "number"]]?.int else { continue }
                let hosts = server["hosts"]?.array?.compactMap(\.string) ?? ["*"]
                servers.append(.init(gateway: name, port: port, listenerPort: port == 80 ? 8080 : port, hosts: hosts))
            }
        }
        var model = GatewayModel(
            servers: servers,
            virtualServices: virtualServices + result.inputs.istio.filter { $0["kind"]?.string == "VirtualService" },
            destinationRules: result.inputs.istio.filter { $0["kind"]?.string == "DestinationRule" })
        model.requestAuthentications = result.inputs.istio.filter { $0["kind"]?.string == "RequestAuthentication" }
        model.authorizationPolicies = result.inputs.istio.filter { $0["kind"]?.string == "AuthorizationPolicy" }
        model.http2Ports = ServicePortProtocol.http2Ports(
            services: result.plan.objects.filter { $0.kind == "Service" && $0.apiVersion == "v1" }.map(\.body),
            localGatewayHost: config.localGatewayHost)
        return EnvoyBootstrap.make(model, options: options)
    }

    /// Read and validate only (`isvc check`); Istio inputs are checked against the graph they route to.
    public static func check(_ sources: [InputLoader.Source], options: Options, diagnostics: Diagnostics) -> Inputs {
        let inputs = InputLoader.load(sources, defaultNamespace: options.defaultNamespace, diagnostics: diagnostics)
        guard !inputs.istioDocuments.isEmpty else {
            Validator.check(inputs, mode: options.mode, previous: options.previous, diagnostics: diagnostics)
            return inputs
        }
        let validated = Validator.validate(inputs, mode: options.mode, previous: options.previous, diagnostics: diagnostics)
        checkIstio(
            inputs, plan: diagnostics.hasErrors ? Plan() : Expander.expand(validated, previous: options.previous),
            diagnostics: diagnostics)
        return inputs
    }

    static func checkIstio(_ inputs: Inputs, plan: Plan, diagnostics: Diagnostics) {
        let rules = IstioRules(diagnostics: diagnostics)
        rules.check(inputs.istioDocuments, knativeServices: plan.objects.contains { $0.kind == "Route" })
        rules.checkHosts(inputs.istioDocuments, known: IstioRules.knownHosts(plan, config: inputs.config))
    }

    public static func compile(_ sources: [InputLoader.Source], options: Options, diagnostics: Diagnostics) -> Result {
        let inputs = InputLoader.load(sources, defaultNamespace: options.defaultNamespace, diagnostics: diagnostics)
        let validated = Validator.validate(inputs, mode: options.mode, previous: options.previous, diagnostics: diagnostics)
        var plan = diagnostics.hasErrors ? Plan() : Expander.expand(validated, previous: options.previous)
        if !inputs.istioDocuments.isEmpty {
            checkIstio(inputs, plan: plan, diagnostics: diagnostics)
            if diagnostics.hasErrors { plan = Plan() }
        }
        return Result(inputs: inputs, validated: validated, plan: plan)
    }
}
