import Foundation

/// Istio's RequestAuthentication and AuthorizationPolicy as the gateway's Envoy filters
/// (`pilot/pkg/security/authn`, `authz`): `envoy.filters.http.jwt_authn` (an invalid token is rejected
/// with 401; a missing one passes, as Istio's `allow_missing`) and `envoy.filters.http.rbac` (DENY
/// policies first, then ALLOW; a request no ALLOW policy matches gets 403). Only policies that apply to
/// the ingress gateway count: in its namespace (istio-system) or with a selector naming it.
struct SecurityFilters {
    let requestAuthentications: [Value]
    let authorizationPolicies: [Value]

    /// Istio looks up a workload's policies in the root namespace and the workload's own namespace;
    /// both are istio-system for the ingress gateway. Without a selector a policy there applies to it.
    static func appliesToGateway(_ policy: Value) -> Bool {
        guard policy[path: ["metadata", "namespace"]]?.string == "istio-system" else { return false }
        let selector = policy[path: ["spec", "selector", "matchLabels"]]?.object ?? [:]
        return selector.allSatisfy { key, value in
            (key == "istio" && value.string == "ingressgateway") || (key == "app" && value.string == "istio-ingressgateway")
        }
    }

    /// Rule fields the translation understands; any other makes isvc fail closed (see `policy`).
    static let translatedOperation: Set<String> = ["paths", "methods", "hosts"]
    static let translatedSource: Set<String> = ["requestPrincipals", "notRequestPrincipals"]

    /// The fields of a rule the translation does not understand (`to.operation.notPaths`, ...).
    static func untranslated(_ rule: Value) -> [String] {
        var out: [String] = []
        for to in rule["to"]?.array ?? [] {
            for key in (to["operation"]?.object ?? [:]).keys where !translatedOperation.contains(key) { out.append("to.operation.\(key)") }
        }
        for from in rule["from"]?.array ?? [] {
            for key in (from["source"]?.object ?? [:]).keys where !translatedSource.contains(key) { out.append("from.source.\(key)") }
        }
        for when in rule["when"]?.array ?? [] {
            let key = when["key"]?.string ?? ""
            if !(key.hasPrefix("request.headers[") && key.hasSuffix("]")) || when["notValues"] != nil { out.append("when[\(key)]") }
        }
        return out.sorted()
    }

    /// The JWT providers, named as Istio names them (`origins-<n>`); the payload is kept in dynamic
    /// metadata under `jwt_payload_<n>` so RBAC can match principals and claims.
    var providers: [(name: String, rule: Value)] {
        requestAuthentications.filter(Self.appliesToGateway).flatMap { ra in
            ra[path: ["spec", "jwtRules"]]?.array ?? []
        }.enumerated().map { ("origins-\($0.offset)", $0.element) }
    }

    /// Clusters the providers fetch their JWKS from (`jwksUri`): name -> (host, port).
    var jwksClusters: [String: (host: String, port: Int)] {
        var out: [String: (String, Int)] = [:]
        for (_, rule) in providers {
            guard let uri = rule["jwksUri"]?.string, let url = URL(string: uri), url.scheme != "file", let host = url.host else { continue }
            let port = url.port ?? (url.scheme == "https" ? 443 : 80)
            out["outbound|\(port)||\(host)"] = (host, port)
        }
        return out
    }

    func jwtFilter() -> Value? {
        let providers = self.providers
        guard !providers.isEmpty else { return nil }
        var config: [String: Value] = [:]
        for (i, (name, rule)) in providers.enumerated() {
            var p: Value = ["issuer": rule["issuer"] ?? "", "payload_in_metadata": .string("jwt_payload_\(i)"),
                            "forward": .bool(rule["forwardOriginalToken"] == .bool(true)),
                            "clear_route_cache": true,
                            "normalize_payload_in_metadata": ["space_delimited_claims": ["scope", "permission"]]]
            if let audiences = rule["audiences"], !audiences.isEmptyCollection { p["audiences"] = audiences }
            if let jwks = rule["jwks"]?.string {
                p["local_jwks"] = ["inline_string": .string(jwks)]
            } else if let uri = rule["jwksUri"]?.string, uri.hasPrefix("file:") {
                // isvc's own: a JWKS file on this machine (`file:relative/path` or `file:///absolute`),
                // which Envoy reads as `local_jwks.filename` (istiod would fail to fetch it).
                p["local_jwks"] = ["filename": .string(URL(string: uri)?.path ?? String(uri.dropFirst("file:".count)))]
            } else if let uri = rule["jwksUri"]?.string, let url = URL(string: uri), let host = url.host {
                let port = url.port ?? (url.scheme == "https" ? 443 : 80)
                p["remote_jwks"] = ["http_uri": ["uri": .string(uri), "cluster": .string("outbound|\(port)||\(host)"), "timeout": "5s"],
                                    "cache_duration": "300s"]
            }
            if let headers = rule["fromHeaders"]?.array, !headers.isEmpty {
                p["from_headers"] = .array(headers.map { ["name": $0["name"] ?? "", "value_prefix": $0["prefix"] ?? ""] })
            }
            if let params = rule["fromParams"]?.array, !params.isEmpty { p["from_params"] = .array(params) }
            config[name] = p
        }
        // Istio's requirement: any one provider's valid token, or no token; with several providers a
        // token present for one must still be valid for the others (requires_all of any-or-missing).
        var requirements: [Value] = providers.map { ["provider_name": .string($0.name)] }
        if providers.count == 1 {
            requirements.append(["allow_missing": [:]])
        } else {
            requirements.append(["requires_all": ["requirements": .array(providers.map { p in
                ["requires_any": ["requirements": [["provider_name": .string(p.name)], ["allow_missing": [:]]]]]
            })]])
        }
        return ["name": "envoy.filters.http.jwt_authn", "typed_config": [
            "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            "providers": .object(config),
            "rules": [["match": ["prefix": "/"], "requires": ["requires_any": ["requirements": .array(requirements)]]]],
            "bypass_cors_preflight": true,
        ]]
    }

    /// One RBAC filter per action present (DENY before ALLOW).
    func rbacFilters() -> [Value] {
        let policies = authorizationPolicies.filter(Self.appliesToGateway)
        var out: [Value] = []
        for action in ["DENY", "ALLOW"] {
            var rbacPolicies: [String: Value] = [:]
            var present = false
            for p in policies where (p[path: ["spec", "action"]]?.string ?? "ALLOW") == action {
                present = true
                let ns = p[path: ["metadata", "namespace"]]?.string ?? ""
                let name = p[path: ["metadata", "name"]]?.string ?? ""
                // A policy without rules matches nothing (Istio's "allow-nothing" denies everything).
                for (i, rule) in (p[path: ["spec", "rules"]]?.array ?? []).enumerated() {
                    // Fail closed on fields isvc does not translate: an ALLOW rule then matches nothing;
                    // a DENY rule drops the condition and so denies more (both with a warning from check).
                    if action == "ALLOW", !Self.untranslated(rule).isEmpty { continue }
                    rbacPolicies["ns[\(ns)]-policy[\(name)]-rule[\(i)]"] = policy(rule)
                }
            }
            // An ALLOW filter with no policy denies everything; a DENY filter with none denies nothing.
            guard present, action == "ALLOW" || !rbacPolicies.isEmpty else { continue }
            out.append(["name": .string("envoy.filters.http.rbac"), "typed_config": [
                "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
                "rules": ["action": .string(action), "policies": .object(rbacPolicies)],
            ]])
        }
        return out
    }

    func policy(_ rule: Value) -> Value {
        // Permissions: every `to` entry is an alternative; inside one, each field must match.
        var permissions: [Value] = []
        for to in rule["to"]?.array ?? [] {
            let op = to["operation"] ?? [:]
            var all: [Value] = []
            if let paths = op["paths"]?.array?.compactMap(\.string), !paths.isEmpty {
                all.append(["or_rules": ["rules": .array(paths.map { ["url_path": ["path": stringMatch($0)]] })]])
            }
            if let methods = op["methods"]?.array?.compactMap(\.string), !methods.isEmpty {
                all.append(["or_rules": ["rules": .array(methods.map { ["header": ["name": ":method", "string_match": ["exact": .string($0)]]] })]])
            }
            if let hosts = op["hosts"]?.array?.compactMap(\.string), !hosts.isEmpty {
                all.append(["or_rules": ["rules": .array(hosts.map { ["header": ["name": ":authority", "string_match": stringMatch($0)]] })]])
            }
            permissions.append(all.isEmpty ? ["any": true] : ["and_rules": ["rules": .array(all)]])
        }
        for when in rule["when"]?.array ?? [] {
            guard let key = when["key"]?.string, key.hasPrefix("request.headers["), key.hasSuffix("]") else { continue }
            let header = String(key.dropFirst("request.headers[".count).dropLast())
            let values = when["values"]?.array?.compactMap(\.string) ?? []
            let cond: Value = ["or_rules": ["rules": .array(values.map { ["header": ["name": .string(header), "string_match": stringMatch($0)]] })]]
            permissions = permissions.isEmpty ? [cond] : permissions.map { ["and_rules": ["rules": [$0, cond]]] }
        }
        if permissions.isEmpty { permissions = [["any": true]] }

        // Principals: every `from` entry is an alternative; request principals are `iss/sub` of a verified JWT.
        var principals: [Value] = []
        for from in rule["from"]?.array ?? [] {
            let source = from["source"] ?? [:]
            var all: [Value] = []
            if let rps = source["requestPrincipals"]?.array?.compactMap(\.string), !rps.isEmpty {
                all.append(["or_ids": ["ids": .array(rps.map(requestPrincipal))]])
            }
            if let rps = source["notRequestPrincipals"]?.array?.compactMap(\.string), !rps.isEmpty {
                all.append(["not_id": ["or_ids": ["ids": .array(rps.map(requestPrincipal))]]])
            }
            principals.append(all.isEmpty ? ["any": true] : ["and_ids": ["ids": .array(all)]])
        }
        if principals.isEmpty { principals = [["any": true]] }
        return ["permissions": .array(permissions), "principals": .array(principals)]
    }

    /// Istio's path/host patterns: exact, `prefix*`, `*suffix`, or `*`.
    func stringMatch(_ s: String) -> Value {
        if s == "*" { return ["safe_regex": ["regex": ".+"]] }
        if s.hasSuffix("*") { return ["prefix": .string(String(s.dropLast()))] }
        if s.hasPrefix("*") { return ["suffix": .string(String(s.dropFirst()))] }
        return ["exact": .string(s)]
    }

    /// A request principal `iss/sub` (or `*`, any verified token) matched on any provider's payload.
    func requestPrincipal(_ principal: String) -> Value {
        let count = providers.count
        func claim(_ i: Int, _ key: String, _ match: Value) -> Value {
            ["metadata": ["filter": "envoy.filters.http.jwt_authn",
                          "path": [["key": .string("jwt_payload_\(i)")], ["key": .string(key)]],
                          "value": match]]
        }
        let alternatives: [Value] = (0..<max(count, 1)).map { i in
            if principal == "*" { return claim(i, "iss", ["present_match": true]) }
            let parts = principal.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { return claim(i, "iss", ["string_match": ["exact": .string(principal)]]) }
            // The issuer may itself contain "/": split at the last one, as iss/sub strings are built.
            let cut = principal.lastIndex(of: "/")!
            let iss = String(principal[..<cut]), sub = String(principal[principal.index(after: cut)...])
            var ids: [Value] = []
            ids.append(iss == "*" ? claim(i, "iss", ["present_match": true]) : claim(i, "iss", ["string_match": ["exact": .string(iss)]]))
            if sub != "*" { ids.append(claim(i, "sub", ["string_match": ["exact": .string(sub)]])) }
            return ["and_ids": ["ids": .array(ids)]]
        }
        return alternatives.count == 1 ? alternatives[0] : ["or_ids": ["ids": .array(alternatives)]]
    }
}
