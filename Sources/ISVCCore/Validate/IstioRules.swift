import Foundation

/// Checks of the Istio objects given as input, with positions: what Istio's validation rejects
/// (destination weights, regular expressions) and references that would route nowhere (a
/// DestinationRule or destination for a host the compiled graph does not have, unknown subsets).
struct IstioRules {
    let diagnostics: Diagnostics

    func check(_ documents: [SourceDocument], knativeServices: Bool = false) {
        for doc in documents where doc.root["kind"]?.string == "VirtualService" {
            checkVirtualService(doc.root)
        }
        checkAuthorization(documents)
        checkJWTForwarding(documents, knativeServices: knativeServices)
    }

    func checkAuthorization(_ documents: [SourceDocument]) {
        for doc in documents where doc.root["kind"]?.string == "AuthorizationPolicy" {
            let value = Value(doc.root)
            let action = value[path: ["spec", "action"]]?.string ?? "ALLOW"
            for (i, rule) in (doc.root["spec"]?["rules"]?.sequence ?? []).enumerated() {
                let fields = SecurityFilters.untranslated(Value(rule))
                guard !fields.isEmpty else { continue }
                diagnostics.report(
                    "AuthorizationPolicy \(doc.root["metadata"]?.located("name")?.value ?? ""): rules[\(i)] uses \(fields.joined(separator: ", ")), which isvc's Envoy translation does not support; "
                        + (action == "ALLOW"
                            ? "the rule is left out, so it allows nothing" : "the condition is left out, so the rule denies more"),
                    at: rule.location, rule: IstioRule.authzUnsupported)
            }
            if SecurityFilters.appliesToGateway(value) == false,
                value[path: ["spec", "selector", "matchLabels", "istio"]]?.string == "ingressgateway"
            {
                diagnostics.report(
                    "AuthorizationPolicy \(doc.root["metadata"]?.located("name")?.value ?? "") selects the ingress gateway but is not in istio-system, where its pods run; Istio does not apply it there",
                    at: doc.root["metadata"]?.location ?? doc.root.location, rule: IstioRule.policyNamespace)
            }
        }
    }

    func checkJWTForwarding(_ documents: [SourceDocument], knativeServices: Bool) {
        // On the ingress gateway, a token is removed once verified unless forwarded; KServe's top-level
        // route (Knative mode) then reaches the local gateway, the same pods, without it.
        guard knativeServices else { return }
        for doc in documents
        where doc.root["kind"]?.string == "RequestAuthentication"
            && SecurityFilters.appliesToGateway(Value(doc.root))
        {
            for rule in doc.root["spec"]?["jwtRules"]?.sequence ?? [] where rule.bool("forwardOriginalToken") != true {
                diagnostics.report(
                    "this JWT rule applies to the ingress gateway, whose pods also serve knative-local-gateway: KServe's top-level route hops through it, and without forwardOriginalToken: true the token is gone on that hop (an AuthorizationPolicy requiring it there denies every request)",
                    at: rule.location, rule: IstioRule.jwtForward)
            }
        }
    }

    func checkVirtualService(_ vs: Node) {
        let name = vs["metadata"]?.located("name")?.value ?? ""
        for (i, http) in (vs["spec"]?["http"]?.sequence ?? []).enumerated() {
            let routes = http["route"]?.sequence ?? []
            let weights = routes.map { $0.locatedInt("weight") }
            for w in weights.compactMap({ $0 }) where w.value < 0 {
                diagnostics.report("VirtualService \(name): spec.http[\(i)]: weight \(w.value) < 0", at: w.location, rule: IstioRule.weight)
            }
            if routes.count > 1, weights.allSatisfy({ ($0?.value ?? 0) == 0 }) {
                diagnostics.report(
                    "VirtualService \(name): spec.http[\(i)]: total destination weight = 0",
                    at: http["route"]?.location ?? http.location, rule: IstioRule.weight)
            }
            // Istio's validatePercentage; NaN passes its comparisons, but Envoy's fraction is an integer.
            for (field, node) in [
                ("mirrorPercentage", http["mirrorPercentage"]?["value"]),
                ("fault.delay.percentage", http["fault"]?["delay"]?["percentage"]?["value"]),
                ("fault.abort.percentage", http["fault"]?["abort"]?["percentage"]?["value"]),
            ] {
                guard let node, let s = node.scalar, s.tag == .int || s.tag == .float else { continue }
                let v = s.tag == .int ? Value.integer(s.text).map(Double.init) ?? .infinity : Value.float(s.text) ?? .nan
                if !(v >= 0 && v <= 100) {
                    diagnostics.report(
                        "VirtualService \(name): spec.http[\(i)].\(field).value: percentage \(s.text) is not in range 0..100",
                        at: node.location, rule: IstioRule.percentage)
                }
            }
            for (j, match) in (http["match"]?.sequence ?? []).enumerated() {
                var matchers: [(String, Node)] = []
                for key in ["uri", "authority", "scheme", "method"] { if let m = match[key] { matchers.append((key, m)) } }
                for pair in match["headers"]?.mapping ?? [] { matchers.append(("headers.\(pair.key.scalar?.text ?? "")", pair.value)) }
                for pair in match["queryParams"]?.mapping ?? [] {
                    matchers.append(("queryParams.\(pair.key.scalar?.text ?? "")", pair.value))
                }
                for pair in match["withoutHeaders"]?.mapping ?? [] {
                    matchers.append(("withoutHeaders.\(pair.key.scalar?.text ?? "")", pair.value))
                }
                for (field, m) in matchers {
                    // A regex of "*" on a header means "present" (istiod's catch-all), not a pattern.
                    guard let regex = m["regex"], let pattern = regex.string, !(field.contains(".") && pattern == "*") else { continue }
                    do {
                        _ = try NSRegularExpression(pattern: pattern)
                    } catch {
                        diagnostics.report(
                            "VirtualService \(name): spec.http[\(i)].match[\(j)].\(field).regex: \"\(pattern)\" is not a valid regular expression",
                            at: regex.location, rule: IstioRule.regex)
                    }
                }
            }
        }
    }

    /// References to hosts: every DestinationRule and VirtualService destination must name a service
    /// of the compiled graph or of the input (an unknown one routes nowhere).
    func checkHosts(_ documents: [SourceDocument], known: Set<String>) {
        var subsets: [String: Set<String>] = [:]
        for doc in documents where doc.root["kind"]?.string == "DestinationRule" {
            let ns = doc.root["metadata"]?.located("namespace")?.value ?? "default"
            guard let host = doc.root["spec"]?.located("host") else { continue }
            let fqdn = RouteTranslation(namespace: ns).fqdn(host.value)
            subsets[fqdn, default: []].formUnion((doc.root["spec"]?["subsets"]?.sequence ?? []).compactMap { $0.located("name")?.value })
            if !known.contains(fqdn) {
                var message =
                    "DestinationRule \(doc.root["metadata"]?.located("name")?.value ?? ""): host \(host.value) is not a service of the compiled graph"
                if let guess = Suggestion.closest(to: fqdn, in: known) { message += " (did you mean \(guess)?)" }
                diagnostics.report(message, at: host.location, rule: IstioRule.unknownHost)
            }
        }
        var gateways: Set<String> = ["mesh", "knative-serving/knative-ingress-gateway", "knative-serving/knative-local-gateway"]
        for doc in documents where doc.root["kind"]?.string == "Gateway" {
            gateways.insert(
                "\(doc.root["metadata"]?.located("namespace")?.value ?? "default")/\(doc.root["metadata"]?.located("name")?.value ?? "")")
        }
        for doc in documents where doc.root["kind"]?.string == "VirtualService" {
            let ns = doc.root["metadata"]?.located("namespace")?.value ?? "default"
            let name = doc.root["metadata"]?.located("name")?.value ?? ""
            for gw in doc.root["spec"]?["gateways"]?.sequence ?? [] {
                guard let g = gw.string else { continue }
                let qualified = g == "mesh" || g.contains("/") ? g : "\(ns)/\(g)"
                if !gateways.contains(qualified) {
                    diagnostics.report(
                        "VirtualService \(name): gateway \(g) is neither a Knative gateway nor a Gateway in the input; its routes reach no listener",
                        at: gw.location, rule: IstioRule.unknownGateway)
                }
            }
            for http in doc.root["spec"]?["http"]?.sequence ?? [] {
                for route in http["route"]?.sequence ?? [] {
                    guard let dest = route["destination"], let host = dest.located("host") else { continue }
                    let fqdn = RouteTranslation(namespace: ns).fqdn(host.value)
                    if !known.contains(fqdn) {
                        var message = "VirtualService \(name): destination host \(host.value) is not a service of the compiled graph"
                        if let guess = Suggestion.closest(to: fqdn, in: known) { message += " (did you mean \(guess)?)" }
                        diagnostics.report(message, at: host.location, rule: IstioRule.unknownDestination)
                    }
                    if let subset = dest.located("subset"), !(subsets[fqdn]?.contains(subset.value) ?? false) {
                        diagnostics.report(
                            "VirtualService \(name): subset \(subset.value) of host \(host.value) is defined by no DestinationRule",
                            at: subset.location, rule: IstioRule.unknownSubset)
                    }
                }
            }
        }
    }

    /// The service hosts a plan defines: every Kubernetes and Knative Service, fully qualified.
    static func knownHosts(_ plan: Plan, config: ClusterConfig) -> Set<String> {
        var hosts: Set<String> = [config.localGatewayHost, config.localGatewayService]
        for o in plan.objects where o.kind == "Service" {
            hosts.insert("\(o.name).\(o.namespace).svc.cluster.local")
        }
        return hosts
    }
}
