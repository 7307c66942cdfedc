import Crypto

/// A Route's traffic after Knative's flattening: who gets what under which name ("" for the default
/// target, else the tag).
struct TrafficGroup {
    var tag: String  // "" = the route's default target
    var splits: [(revision: String, percent: Int)]
    /// The latestRevision targets of this name with percent > 0 (for the rollout annotation).
    var latest: (configuration: String, revision: String, percent: Int)?
}

/// Domains and visibility of a Route (`route/domains`), and the networking objects built from it:
/// the KIngress (`route/resources/ingress.go`), the Route's placeholder Services, and net-istio's
/// VirtualServices (`net-istio .../resources/virtual_service.go`).
struct KnativeNetworking {
    let config: ClusterConfig

    /// The config-domain entry for a route's labels: the most specific matching selector wins.
    func domain(forLabels labels: [String: String]) -> String {
        let matching = config.domains.filter { entry in entry.selector.allSatisfy { labels[$0.key] == $0.value } }
        let best = matching.max { a, b in
            a.selector.count != b.selector.count ? a.selector.count < b.selector.count : a.domain > b.domain
        }
        return best?.domain ?? "svc.cluster.local"
    }

    func isClusterLocal(labels: [String: String]) -> Bool {
        labels[Keys.visibility] == Keys.clusterLocal || domain(forLabels: labels) == "svc.cluster.local"
    }

    /// The host a traffic name is served under outside the cluster: config-network's domain-template
    /// (`{{.Name}}.{{.Namespace}}.{{.Domain}}` by default) on the Route's labels.
    func externalHost(_ hostName: String, namespace: String, labels: [String: String]) -> String {
        let domain = domain(forLabels: labels)
        return config.knativeDomainTemplate.execute(
            fields: ["Name": hostName, "Namespace": namespace, "Domain": domain], maps: ["Labels": labels])
            ?? "\(hostName).\(namespace).\(domain)"
    }

    /// The Route's URL host: external unless cluster-local.
    func urlHost(route: String, namespace: String, labels: [String: String]) -> String {
        isClusterLocal(labels: labels)
            ? "\(route).\(namespace).svc.cluster.local" : externalHost(route, namespace: namespace, labels: labels)
    }

    /// A traffic name's host name: the Route's name, or config-network's tag-template
    /// (`{{.Tag}}-{{.Name}}` by default) for a tag.
    func hostName(route: String, tag: String) -> String {
        guard !tag.isEmpty else { return route }
        return config.knativeTagTemplate.execute(fields: ["Name": route, "Tag": tag]) ?? "\(tag)-\(route)"
    }

    /// Flattens `spec.traffic` for a route whose configuration's latest ready revision is `latest`.
    static func groups(traffic: [Value], configuration: String, latest: String) -> [TrafficGroup] {
        struct Target { var tag: String; var revision: String; var percent: Int; var isLatest: Bool }
        let targets = traffic.map { t in
            Target(
                tag: t["tag"]?.string ?? "", revision: t["revisionName"]?.string ?? latest,
                percent: t["percent"]?.int ?? 0, isLatest: t["latestRevision"] == .bool(true) || t["revisionName"] == nil)
        }
        func merge(_ ts: [Target]) -> [(String, Int)] {
            var out: [(String, Int)] = []
            for t in ts {
                if let i = out.firstIndex(where: { $0.0 == t.revision }) {
                    out[i].1 += t.percent
                } else {
                    out.append((t.revision, t.percent))
                }
            }
            return out
        }
        var groups: [TrafficGroup] = []
        var defaultSplits = merge(targets).filter { $0.1 > 0 }
        if Set(defaultSplits.map(\.0)).count == 1 { defaultSplits = [(defaultSplits[0].0, 100)] }
        let defaultLatest = targets.filter { $0.isLatest && $0.percent > 0 }.reduce(0) { $0 + $1.percent }
        groups.append(
            TrafficGroup(
                tag: "", splits: defaultSplits.map { (revision: $0.0, percent: $0.1) },
                latest: defaultLatest > 0 ? (configuration, latest, defaultLatest) : nil))
        for tag in Set(targets.map(\.tag)).filter({ !$0.isEmpty }).sorted() {
            let ts = targets.filter { $0.tag == tag }
            let revision = ts[0].revision
            groups.append(
                TrafficGroup(
                    tag: tag, splits: [(revision: revision, percent: 100)],
                    latest: ts[0].isLatest ? (configuration, latest, 100) : nil))
        }
        return groups
    }

    /// `networking.internal.knative.dev/rollout` in steady state (no gradual rollout in progress).
    static func rolloutJSON(_ groups: [TrafficGroup]) -> String {
        let configs = groups.compactMap { g -> String? in
            guard let l = g.latest else { return nil }
            let tag = g.tag.isEmpty ? "" : ",\"tag\":" + GoJSON.quote(g.tag)
            return
                "{\"configurationName\":\(GoJSON.quote(l.configuration))\(tag),\"percent\":\(l.percent),\"revisions\":[{\"revisionName\":\(GoJSON.quote(l.revision)),\"percent\":\(l.percent)}],\"stepParams\":{}}"
        }
        return configs.isEmpty ? "{}" : "{\"configurations\":[" + configs.joined(separator: ",") + "]}"
    }

    struct Rule {
        var hosts: [String]
        var visibility: String  // ClusterLocal | ExternalIP
        var splits: [(revision: String, percent: Int)]
    }

    func rules(route: String, namespace: String, labels: [String: String], groups: [TrafficGroup]) -> [Rule] {
        var rules: [Rule] = []
        let local = isClusterLocal(labels: labels)
        for g in groups {
            let h = hostName(route: route, tag: g.tag)
            rules.append(
                Rule(
                    hosts: ["\(h).\(namespace)", "\(h).\(namespace).svc", "\(h).\(namespace).svc.cluster.local"],
                    visibility: "ClusterLocal", splits: g.splits))
            if !local {
                rules.append(
                    Rule(hosts: [externalHost(h, namespace: namespace, labels: labels)], visibility: "ExternalIP", splits: g.splits))
            }
        }
        return rules
    }

    func splitValue(_ s: (revision: String, percent: Int), namespace: String, port: Int) -> Value {
        [
            "serviceNamespace": .string(namespace), "serviceName": .string(s.revision), "servicePort": .int(port),
            "percent": .int(s.percent),
            "appendHeaders": ["Knative-Serving-Namespace": .string(namespace), "Knative-Serving-Revision": .string(s.revision)],
        ]
    }

    /// Go's compact JSON of the KIngress spec, field order of the Go types, for the K-Network-Hash.
    func specJSON(_ rules: [Rule], namespace: String, port: Int) -> String {
        let ruleJSON = rules.map { r -> String in
            let hosts = r.hosts.map(GoJSON.quote).joined(separator: ",")
            let splits = r.splits.map { s in
                "{\"serviceNamespace\":\(GoJSON.quote(namespace)),\"serviceName\":\(GoJSON.quote(s.revision)),\"servicePort\":\(port),"
                    + (s.percent != 0 ? "\"percent\":\(s.percent)," : "")
                    + "\"appendHeaders\":{\"Knative-Serving-Namespace\":\(GoJSON.quote(namespace)),\"Knative-Serving-Revision\":\(GoJSON.quote(s.revision))}}"
            }.joined(separator: ",")
            return "{\"hosts\":[\(hosts)],\"visibility\":\"\(r.visibility)\",\"http\":{\"paths\":[{\"splits\":[\(splits)]}]}}"
        }
        return "{\"rules\":[" + ruleJSON.joined(separator: ",") + "],\"httpOption\":\"Enabled\"}"
    }

    /// `ComputeHash`: SHA-256 of the spec's JSON followed by the namespace and the name, in hex.
    func networkHash(_ rules: [Rule], namespace: String, name: String, port: Int) -> String {
        let bytes = Array((specJSON(rules, namespace: namespace, port: port) + namespace + name).utf8)
        return Hex.string(SHA256.hash(data: bytes))
    }

    func ingress(route: Value, groups: [TrafficGroup], port: Int) -> (Value, [Rule]) {
        let name = route[path: ["metadata", "name"]]?.string ?? ""
        let ns = route[path: ["metadata", "namespace"]]?.string ?? ""
        let routeLabels = KnativeServing.labels(route, ["metadata", "labels"])
        var labels = routeLabels
        labels[Keys.knRoute] = name
        labels[Keys.knRouteNamespace] = ns
        var annotations = [Keys.ingressClass: Keys.istioIngressClass, Keys.rollout: Self.rolloutJSON(groups)]
            .merging(KnativeServing.labels(route, ["metadata", "annotations"])) { $1 }
        annotations[Keys.lastApplied] = nil
        let tags = groups.filter { !$0.tag.isEmpty }
        if !tags.isEmpty {
            let local = isClusterLocal(labels: routeLabels)
            let entries = tags.map { g -> String in
                let h = hostName(route: name, tag: g.tag)
                var hosts = ["\(h).\(ns).svc.cluster.local"]
                if !local { hosts.append(externalHost(h, namespace: ns, labels: routeLabels)) }
                return GoJSON.quote(g.tag) + ":[" + hosts.map(GoJSON.quote).joined(separator: ",") + "]"
            }
            annotations[Keys.tagToHost] = "{" + entries.joined(separator: ",") + "}"
        }
        let rules = self.rules(route: name, namespace: ns, labels: routeLabels, groups: groups)
        let ruleValues: [Value] = rules.map { r in
            [
                "hosts": .array(r.hosts.map { .string($0) }), "visibility": .string(r.visibility),
                "http": ["paths": [["splits": .array(r.splits.map { splitValue($0, namespace: ns, port: port) })]]],
            ]
        }
        let body = Meta.object(
            apiVersion: "networking.internal.knative.dev/v1alpha1", kind: "Ingress", name: name, namespace: ns,
            labels: labels, annotations: annotations,
            owner: Meta.ownerReference(apiVersion: "serving.knative.dev/v1", kind: "Route", namespace: ns, name: name),
            spec: ["rules": .array(ruleValues), "httpOption": "Enabled"])
        return (body, rules)
    }

    /// The Route's Kubernetes Services, one per traffic name, once net-istio has made the ingress ready:
    /// ExternalName to the local gateway.
    func routeServices(route: Value, groups: [TrafficGroup]) -> [Value] {
        let name = route[path: ["metadata", "name"]]?.string ?? ""
        let ns = route[path: ["metadata", "namespace"]]?.string ?? ""
        var labels = KnativeServing.labels(route, ["metadata", "labels"])
        labels[Keys.visibility] = nil
        labels[Keys.knRoute] = name
        let annotations = KnativeServing.labels(route, ["metadata", "annotations"])
        return groups.map { g in
            Meta.object(
                apiVersion: "v1", kind: "Service", name: hostName(route: name, tag: g.tag), namespace: ns,
                labels: labels, annotations: annotations,
                owner: Meta.ownerReference(apiVersion: "serving.knative.dev/v1", kind: "Route", namespace: ns, name: name),
                spec: [
                    "type": "ExternalName", "externalName": .string(config.localGatewayService),
                    "sessionAffinity": "None",
                    "ports": [["name": "http2", "appProtocol": "kubernetes.io/h2c", "port": 80, "targetPort": 80]],
                ])
        }
    }

    // MARK: net-istio

    static let localGatewayName = "knative-serving/knative-local-gateway"
    static let ingressGatewayName = "knative-serving/knative-ingress-gateway"

    /// `ExpandedHosts`: each `x.ns.svc.cluster.local` also as `x.ns.svc` and `x.ns`.
    static func expanded(_ hosts: [String]) -> [String] {
        var out = Set(hosts)
        for h in hosts {
            for suffix in [".svc.cluster.local", ".cluster.local"] where h.hasSuffix(suffix) {
                out.insert(String(h.dropLast(suffix.count)))
            }
        }
        return out.sorted()
    }

    func virtualServices(ingress: Value, rules: [Rule], port: Int) -> [Value] {
        let name = ingress[path: ["metadata", "name"]]?.string ?? ""
        let ns = ingress[path: ["metadata", "namespace"]]?.string ?? ""
        let hash = networkHash(rules, namespace: ns, name: name, port: port)
        let ingressLabels = KnativeServing.labels(ingress, ["metadata", "labels"])
        let labels = [
            Keys.knRoute: ingressLabels[Keys.knRoute] ?? "", Keys.knRouteNamespace: ingressLabels[Keys.knRouteNamespace] ?? "",
            Keys.ingressLabel: name,
        ]
        let annotations = KnativeServing.labels(ingress, ["metadata", "annotations"])
        let owner = Meta.ownerReference(apiVersion: "networking.internal.knative.dev/v1alpha1", kind: "Ingress", namespace: ns, name: name)

        func vs(_ suffix: String, hosts: [String], gatewaysFor: (Rule) -> [String]) -> Value? {
            var http: [Value] = []
            var used: Set<String> = []
            for rule in rules {
                let ruleHosts = Set(Self.expanded(rule.hosts))
                let common = hosts.filter { ruleHosts.contains($0) }
                guard !common.isEmpty else { continue }
                let gateways = gatewaysFor(rule).sorted()
                used.formUnion(gateways)
                // One match per distinct host prefix.
                var prefixes: [String] = []
                for h in common.map({ $0.hasSuffix(".svc.cluster.local") ? String($0.dropLast(".svc.cluster.local".count)) : $0 }).sorted()
                where !prefixes.contains(where: { h.hasPrefix($0) }) {
                    prefixes.append(h)
                }
                let route: [Value] = rule.splits.map { s in
                    [
                        "destination": ["host": .string("\(s.revision).\(ns).svc.cluster.local"), "port": ["number": .int(port)]],
                        "weight": .int(s.percent),
                        "headers": [
                            "request": ["set": ["Knative-Serving-Namespace": .string(ns), "Knative-Serving-Revision": .string(s.revision)]]
                        ],
                    ]
                }
                for probe in [true, false] {
                    var entry: Value = [
                        "match": .array(
                            prefixes.map { p in
                                var m: Value = ["authority": ["prefix": .string(p)], "gateways": .array(gateways.map { .string($0) })]
                                if probe { m["headers"] = ["K-Network-Hash": ["exact": "override"]] }
                                return m
                            }),
                        "route": .array(route),
                        "retries": [:],
                    ]
                    if probe { entry["headers"] = ["request": ["set": ["K-Network-Hash": .string(hash)]]] }
                    http.append(entry)
                }
            }
            guard !http.isEmpty else { return nil }
            return Meta.object(
                apiVersion: "networking.istio.io/v1beta1", kind: "VirtualService",
                name: ChildName.make(name, suffix), namespace: ns, labels: labels, annotations: annotations,
                owner: owner,
                spec: [
                    "hosts": .array(hosts.map { .string($0) }), "gateways": .array(used.sorted().map { .string($0) }),
                    "http": .array(http),
                ])
        }
        let allHosts = Self.expanded(rules.flatMap(\.hosts))
        let meshHosts = Self.expanded(rules.flatMap(\.hosts).filter { $0.hasSuffix(".svc.cluster.local") })
        var out: [Value] = []
        if let mesh = vs("-mesh", hosts: meshHosts, gatewaysFor: { _ in ["mesh"] }) { out.append(mesh) }
        if let ing = vs(
            "-ingress", hosts: allHosts,
            gatewaysFor: { $0.visibility == "ClusterLocal" ? [Self.localGatewayName] : [Self.ingressGatewayName] })
        {
            out.append(ing)
        }
        return out
    }
}
