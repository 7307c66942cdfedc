import Foundation

/// Standard mode's way in (`ingress/kube_ingress_reconciler.go`, `ingress/httproute_reconciler.go`):
/// a Kubernetes Ingress, or Gateway API HTTPRoutes when the ConfigMap sets `enableGatewayApi`.
struct StandardIngress {
    let config: ClusterConfig

    /// KServe's `domainTemplate` (`{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}` by default).
    func host(_ name: String, _ service: ValidatedService) -> String {
        host(name, namespace: service.namespace, annotations: service.annotations, labels: service.labels)
    }

    /// `GenerateDomainName` for any object's metadata (an InferenceGraph's too): the template with
    /// Go's text/template semantics (a missing annotation or label prints `<no value>`).
    func host(_ name: String, namespace: String, annotations: [String: String], labels: [String: String]) -> String {
        let template = try? GoTemplate(config.domainTemplate)
        return template?.execute(
            fields: ["Name": name, "Namespace": namespace, "IngressDomain": config.ingressDomain],
            maps: ["Annotations": annotations, "Labels": labels])
            ?? "\(name)-\(namespace).\(config.ingressDomain)"
    }

    /// No external route for cluster-local services (label or domain) or when creation is disabled.
    func skipped(_ service: ValidatedService) -> Bool {
        service.labels["networking.kserve.io/visibility"] == Keys.clusterLocal || config.ingressDomain == "svc.cluster.local"
            || config.disableIngressCreation
    }

    func owner(_ service: ValidatedService) -> Value {
        Meta.ownerReference(
            apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", namespace: service.namespace,
            name: service.name)
    }

    func objects(_ service: ValidatedService) -> [Value] {
        guard !skipped(service) else { return [] }
        return config.enableGatewayApi ? httpRoutes(service) : [ingress(service)]
    }

    // MARK: Kubernetes Ingress

    /// `createRawIngress`, with its rule lists as KServe has them (including routing the transformer's
    /// host to the predictor, and, with an explainer too, a rule for the transformer host to the explainer).
    func ingress(_ service: ValidatedService) -> Value {
        let predictor = service.component(.predictor)!.name
        let top = host(service.name, service)
        func rule(_ h: String, _ backend: String) -> Value {
            [
                "host": .string(h),
                "http": [
                    "paths": [
                        [
                            "path": "/", "pathType": "Prefix",
                            "backend": ["service": ["name": .string(backend), "port": ["number": 80]]],
                        ]
                    ]
                ],
            ]
        }
        var rules: [Value] = []
        let predictorHost = host(predictor, service)
        if let t = service.component(.transformer) {
            if let e = service.component(.explainer) { rules.append(rule(host(t.name, service), e.name)) }
            rules.append(rule(top, t.name))
            rules.append(rule(host(t.name, service), predictor))
        } else if let e = service.component(.explainer) {
            rules.append(rule(top, predictor))
            rules.append(rule(host(e.name, service), e.name))
        } else {
            rules.append(rule(top, predictor))
        }
        rules.append(rule(predictorHost, predictor))
        var spec: Value = ["rules": .array(rules)]
        if !config.ingressClassName.isEmpty { spec["ingressClassName"] = .string(config.ingressClassName) }
        // The Ingress carries the isvc's annotations unfiltered, and no labels.
        return Meta.object(
            apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: service.name, namespace: service.namespace,
            labels: [:], annotations: service.annotations, owner: owner(service), spec: spec)
    }

    // MARK: Gateway API

    func httpRoutes(_ service: ValidatedService) -> [Value] {
        StandardHTTPRoutes(ingress: self, service: service).routes()
    }

    /// `applyCanaryWeights`: the rule's backend keeps 100 minus the canaries' shares, each canary gets
    /// its own, on the same port. `isvc` assumes every canary ready (the steady state KServe converges
    /// to once the canary Deployments are available).
    func weighted(_ stable: Value, _ service: ValidatedService) -> Value {
        let total = service.canaries.compactMap(\.trafficPercent).reduce(0, +)
        var refs: [Value] = [stable.merging(weight: 100 - total)]
        for c in service.canaries {
            refs.append([
                "kind": "Service", "name": .string(c.name), "namespace": .string(service.namespace),
                "port": stable["port"] ?? 80, "weight": .int(c.trafficPercent ?? 0),
            ])
        }
        return .array(refs)
    }
}

extension Value {
    fileprivate func merging(weight: Int) -> Value {
        var v = self
        v["weight"] = .int(weight)
        return v
    }
}
