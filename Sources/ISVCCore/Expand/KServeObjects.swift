/// What the KServe controller writes in Knative mode: a Knative Service per component
/// (`ksvc_reconciler.go`), the top-level VirtualService and the ExternalName Service (`ingress_reconciler.go`).
struct KServeObjects {
    let config: ClusterConfig

    /// The Knative Service of a component, as stored after Knative's defaulting webhook
    /// (which is what `kubectl get ksvc -o yaml` shows and what Knative propagates).
    /// `rolledOut` is the component's `latestRolledoutRevision` from an earlier rollout, if any.
    func knativeService(_ c: ResolvedComponent, of service: ValidatedService, rolledOut: String? = nil) -> Value {
        var annotations = c.annotations
        // SetAutoScalingAnnotations
        if annotations[Keys.autoscalingClass] == nil { annotations[Keys.autoscalingClass] = Keys.kpaClass }
        if let t = c.ext.scaleTarget { annotations[Keys.autoscalingTarget] = String(t.value) }
        if let m = c.ext.scaleMetric { annotations[Keys.autoscalingMetric] = m.value }
        annotations[Keys.minScale] = String(c.ext.minReplicas?.value ?? 1)
        if let max = c.ext.maxReplicas, max.value != 0 { annotations[Keys.maxScale] = String(max.value) }
        // Annotations KServe moves from the template to the Service's own metadata.
        var ksvcAnnotations: [String: String] = [:]
        for key in [Keys.knRolloutDuration, Keys.enablePassthrough] {
            if let v = annotations.removeValue(forKey: key) { ksvcAnnotations[key] = v }
        }
        // Knative's webhook records who created the Service: the KServe controller.
        ksvcAnnotations[Keys.knCreator] = Keys.kserveControllerUser
        ksvcAnnotations[Keys.knLastModifier] = Keys.kserveControllerUser

        let disallowedLabels = Set([Keys.visibility] + config.serviceLabelDisallowedList)
        let templateLabels = c.labels.filter { !disallowedLabels.contains($0.key) }

        // KServe splits traffic only once a revision has been rolled out (ksvc_reconciler.go).
        var latest: Value = ["latestRevision": true, "percent": 100]
        // Read from the component's metadata, where its own annotations win over the isvc's.
        if annotations[Keys.enableTagRouting] == "true" { latest["tag"] = "latest" }
        var traffic: [Value] = [latest]
        if let pct = c.ext.canaryTrafficPercent?.value, let rolledOut, !rolledOut.isEmpty {
            traffic[0]["percent"] = .int(pct)
            if pct < 100 {
                traffic.append(["revisionName": .string(rolledOut), "latestRevision": false, "percent": .int(100 - pct), "tag": "prev"])
            }
        }

        let spec: Value = [
            "template": [
                "metadata": [
                    "labels": Value(templateLabels),
                    "annotations": Value(annotations),
                ],
                "spec": .object(
                    Quantities.normalizingContainers(KnativeDefaults.revisionSpec(c, config: config, annotations: annotations))),
            ],
            "traffic": .array(traffic),
        ]
        return Meta.object(
            apiVersion: "serving.knative.dev/v1", kind: "Service", name: c.name, namespace: service.namespace,
            labels: c.labels, annotations: ksvcAnnotations, owner: isvcOwner(service), spec: spec)
    }

    func isvcOwner(_ service: ValidatedService) -> Value {
        Meta.ownerReference(
            apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", namespace: service.namespace,
            name: service.name)
    }

    /// The host the top-level VirtualService serves: the backend component's Knative URL host with the
    /// first `-transformer`/`-predictor` removed (KServe's `getServiceHost`; with a namespace containing
    /// "-default" KServe looks for `-predictor-default` instead and keeps the host unchanged, which is
    /// upstream issue 4021, reproduced here).
    static func serviceHost(componentHost: String, kind: ComponentKind) -> String {
        let suffix = "-\(kind.rawValue)"
        let needle = componentHost.contains("-default") ? "\(suffix)-default" : suffix
        guard let r = componentHost.range(of: needle) else { return componentHost }
        return componentHost.replacingCharacters(in: r, with: "")
    }

    /// `constants.HostRegExp`: the host quoted, with an optional port.
    static func hostRegExp(_ host: String) -> String {
        var quoted = ""
        for ch in host {
            if "\\.+*?()|[]{}^$".contains(ch) { quoted.append("\\") }
            quoted.append(ch)
        }
        return "^" + quoted + "(?::\\d{1,5})?$"
    }

    /// The top-level VirtualService `<isvc>`, routing the isvc's hosts to the local gateway with the
    /// Host header of the backend component (transformer if any, else predictor; explainer for `:explain`).
    func topLevelVirtualService(_ service: ValidatedService, hosts componentHosts: [ComponentKind: String]) -> Value? {
        guard !config.disableIstioVirtualHost else { return nil }
        let ns = service.namespace
        let backendKind: ComponentKind = service.component(.transformer) != nil ? .transformer : .predictor
        guard let backend = service.component(backendKind), let backendHost = componentHosts[backendKind] else { return nil }
        let serviceHost = Self.serviceHost(componentHost: backendHost, kind: backendKind)
        let internalHost = "\(service.name).\(ns).svc.cluster.local"
        let isInternal = service.labels[Keys.visibility] == Keys.clusterLocal || serviceHost == internalHost
        let additional = isInternal ? [] : additionalHosts(serviceHost: serviceHost)

        func matches(uriRegex: String?) -> Value {
            func match(_ host: String, _ gateways: [String]) -> Value {
                var m: Value = [
                    "authority": ["regex": .string(Self.hostRegExp(host))],
                    "gateways": .array(gateways.map { .string($0) }),
                ]
                if let uriRegex { m["uri"] = ["regex": .string(uriRegex)] }
                return m
            }
            var list = [match(internalHost, [config.localGateway, "mesh"])]
            if !isInternal {
                list.append(match(serviceHost, [config.ingressGateway]))
                for host in additional where !list.contains(match(host, [config.ingressGateway])) {
                    list.append(match(host, [config.ingressGateway]))
                }
            }
            return .array(list)
        }
        func route(match: Value, hostHeader: String) -> Value {
            [
                "match": match,
                "route": [["destination": ["host": .string(config.localGatewayHost), "port": ["number": 80]], "weight": 100]],
                "headers": [
                    "request": [
                        "set": [
                            "Host": .string(hostHeader), Keys.isvcName: .string(service.name), Keys.isvcNamespace: .string(ns),
                        ]
                    ]
                ],
            ]
        }
        var http: [Value] = []
        if let explainer = service.component(.explainer) {
            http.append(
                route(
                    match: matches(uriRegex: "^/v1/models/[\\w-]+:explain$"),
                    hostHeader: "\(explainer.name).\(ns).svc.cluster.local"))
        }
        http.append(route(match: matches(uriRegex: nil), hostHeader: "\(backend.name).\(ns).svc.cluster.local"))
        var hosts = [internalHost]
        var gateways = [config.localGateway, "mesh"]
        if !isInternal {
            hosts.append(serviceHost)
            gateways.append(config.ingressGateway)
        }
        if config.pathTemplate != nil {
            // A path-based URL on the ingress domain besides the host-based one (`pathTemplate`).
            guard let routes = pathRoutes(service, backend: backend, route: route) else { return nil }
            http += routes
            hosts.append(config.ingressDomain)
        }
        if !isInternal {
            var seen = Set(hosts)
            hosts += additional.filter { seen.insert($0).inserted }
        }
        let annotations = service.annotations.filter { !ComponentBuilder.disallowed(config).contains($0.key) }
        return Meta.object(
            apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService", name: service.name,
            namespace: ns, labels: service.labels, annotations: annotations, owner: isvcOwner(service),
            spec: [
                "hosts": .array(hosts.map { .string($0) }), "gateways": .array(gateways.map { .string($0) }),
                "http": .array(http),
            ])
    }

    /// `pathTemplate`'s routes on the ingress domain (after the host-based ones): the explainer's
    /// path by a regex rewrite, the backend's path (prefix and exact) rewritten to `/`; nil when the
    /// template gives no valid path (KServe then makes no top-level VirtualService).
    func pathRoutes(
        _ service: ValidatedService, backend: ResolvedComponent, route: (Value, String) -> Value
    ) -> [Value]? {
        let ns = service.namespace
        guard case .success(let generated) = PathTemplate.path(service.name, namespace: ns, config: config) else { return nil }
        let path = generated.hasSuffix("/") ? String(generated.dropLast()) : generated
        let authority: Value = ["regex": .string(Self.hostRegExp(config.ingressDomain))]
        let gateway: Value = [.string(config.ingressGateway)]
        var routes: [Value] = []
        if let explainer = service.component(.explainer) {
            let regex = path + "(/v1/models/[\\w-]+:explain)$"
            var r = route(
                [["uri": ["regex": .string(regex)], "authority": authority, "gateways": gateway]],
                "\(explainer.name).\(ns).svc.cluster.local")
            r["rewrite"] = ["uriRegexRewrite": ["match": .string(regex), "rewrite": "\\1"]]
            routes.append(r)
        }
        var r = route(
            [
                ["uri": ["prefix": .string(path + "/")], "authority": authority, "gateways": gateway],
                ["uri": ["exact": .string(path)], "authority": authority, "gateways": gateway],
            ], "\(backend.name).\(ns).svc.cluster.local")
        r["rewrite"] = ["uri": "/"]
        routes.append(r)
        return routes
    }

    /// `GetAdditionalHosts`: the service host minus the first config-domain domain it ends with, on each
    /// additional domain (deduplicated; none when no config-domain domain matches).
    func additionalHosts(serviceHost: String) -> [String] {
        guard !config.additionalIngressDomains.isEmpty,
            let domain = config.domains.map(\.domain).first(where: { serviceHost.hasSuffix($0) })
        else { return [] }
        let subdomain = String(serviceHost.dropLast(domain.count))
        guard !subdomain.isEmpty else { return [] }
        var seen: Set<String> = []
        return config.additionalIngressDomains.filter { seen.insert($0).inserted }.map { subdomain + $0 }
    }

    /// The ExternalName Service `<isvc>` that points the isvc's cluster-local name at the local gateway.
    func externalNameService(_ service: ValidatedService) -> Value? {
        guard !config.disableIstioVirtualHost else { return nil }
        return Meta.object(
            apiVersion: "v1", kind: "Service", name: service.name, namespace: service.namespace,
            labels: [:], annotations: [:], owner: isvcOwner(service),
            spec: [
                "type": "ExternalName", "externalName": .string(config.localGatewayService),
                "sessionAffinity": "None",
            ])
    }
}
