/// Standard mode's Gateway API routes (`ingress/httproute_reconciler.go`): `<isvc>-predictor`,
/// `<isvc>-transformer`, `<isvc>-explainer` and the top-level `<isvc>`, each rule setting the
/// `KServe-Isvc-*` headers, with the component's timeout, canary weights, pathTemplate rules, and a
/// separate gRPC rule when the backend Service has both a REST and a gRPC port.
struct StandardHTTPRoutes {
    let ingress: StandardIngress
    let service: ValidatedService
    var config: ClusterConfig { ingress.config }

    func routes() -> [Value] {
        var routes: [Value] = []
        let predictor = service.component(.predictor)!
        // The predictor route is named <isvc>-predictor even when the predictor has its own name,
        // and keeps that hostname, so promotion keeps the URL.
        routes.append(
            route(
                "\(service.name)-predictor", hostnames: [ingress.host("\(service.name)-predictor", service)],
                rules: rules("^/.*$", predictor, canaries: true)))
        for kind in [ComponentKind.transformer, .explainer] {
            guard let c = service.component(kind) else { continue }
            routes.append(route(c.name, hostnames: [ingress.host(c.name, service)], rules: rules("^/.*$", c, canaries: false)))
        }
        var topRules: [Value] = []
        if let e = service.component(.explainer) { topRules.append(rule("^/v1/models/[\\w-]+:explain$", e, canaries: true)) }
        topRules += rules("^/.*$", service.component(.transformer) ?? predictor, canaries: true)
        let top = ingress.host(service.name, service)
        var hostnames = [top]
        if top.hasSuffix(config.ingressDomain) {
            let sub = String(top.dropLast(config.ingressDomain.count))
            for d in config.additionalIngressDomains where !hostnames.contains(sub + d) { hostnames.append(sub + d) }
        }
        // Path-based rules on the ingress domain (`pathTemplate`), after the host-based ones; KServe
        // makes no HTTPRoutes at all when the template gives no valid path.
        if config.pathTemplate != nil {
            guard case .success(let generated) = PathTemplate.path(service.name, namespace: service.namespace, config: config) else {
                return []
            }
            let path = generated.hasSuffix("/") ? String(generated.dropLast()) : generated
            hostnames.append(config.ingressDomain)
            if let e = service.component(.explainer) { topRules.append(rule(path + "(/v1/models/[\\w-]+:explain)$", e, canaries: true)) }
            topRules.append(rule(path + "/", service.component(.transformer) ?? predictor, canaries: true))
        }
        routes.append(route(service.name, hostnames: hostnames, rules: topRules))
        return routes
    }

    func backend(_ c: ResolvedComponent, port: Int) -> Value {
        ["kind": "Service", "name": .string(c.name), "namespace": .string(service.namespace), "port": .int(port)]
    }

    func rule(_ path: String, _ c: ResolvedComponent, canaries: Bool, port: Int = 80, match: Value? = nil) -> Value {
        var r: Value = [
            "matches": [match ?? ["path": ["type": "RegularExpression", "value": .string(path)]]],
            "filters": [
                [
                    "type": "RequestHeaderModifier",
                    "requestHeaderModifier": [
                        "set": [
                            ["name": .string(Keys.isvcName), "value": .string(service.name)],
                            ["name": .string(Keys.isvcNamespace), "value": .string(service.namespace)],
                        ]
                    ],
                ]
            ],
            "backendRefs": [backend(c, port: port)],
        ]
        // resolveTimeout: the component's timeout, else 60s; none when disableHTTPRouteTimeout.
        if !config.disableHTTPRouteTimeout { r["timeouts"] = ["request": .string("\(c.ext.timeout?.value ?? 60)s")] }
        if canaries, !service.canaries.isEmpty { r["backendRefs"] = ingress.weighted(backend(c, port: port), service) }
        return r
    }

    /// A Service with a REST and a gRPC port: the gRPC rule first, then REST to its own port.
    func rules(_ path: String, _ c: ResolvedComponent, canaries: Bool) -> [Value] {
        guard let ports = GRPCPorts.restAndGRPC(StandardWorkloads.servicePorts(c)) else { return [rule(path, c, canaries: canaries)] }
        return [
            rule(path, c, canaries: canaries, port: ports.grpc, match: GRPCPorts.routeMatch),
            rule(path, c, canaries: canaries, port: ports.rest),
        ]
    }

    func route(_ name: String, hostnames: [String], rules: [Value]) -> Value {
        let parts = config.kserveIngressGateway.split(separator: "/", maxSplits: 1).map(String.init)
        let parent: Value = [
            "group": "gateway.networking.k8s.io", "kind": "Gateway",
            "namespace": .string(parts.count == 2 ? parts[0] : service.namespace),
            "name": .string(parts.last ?? ""),
        ]
        let labels = service.labels.filter { $0.key != Keys.visibility && !config.serviceLabelDisallowedList.contains($0.key) }
        let annotations = service.annotations.filter { !ComponentBuilder.disallowed(config).contains($0.key) }
        return Meta.object(
            apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", name: name, namespace: service.namespace,
            labels: labels, annotations: annotations, owner: ingress.owner(service),
            spec: ["parentRefs": [parent], "hostnames": .array(hostnames.map { .string($0) }), "rules": .array(rules)])
    }
}
