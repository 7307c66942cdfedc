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

    func jwtFilter() -> Envoy.JWTAuthentication? {
        let providers = self.providers
        guard !providers.isEmpty else { return nil }
        var config: [String: Envoy.JWTProvider] = [:]
        for (i, (name, rule)) in providers.enumerated() {
            var p = Envoy.JWTProvider(
                issuer: RouteTranslation.text(rule["issuer"]), jwks: nil, forward: rule["forwardOriginalToken"] == .bool(true),
                payloadInMetadata: "jwt_payload_\(i)", clearRouteCache: true,
                spaceDelimitedClaims: ["scope", "permission"])
            p.audiences = (rule["audiences"]?.array ?? []).map { RouteTranslation.text($0) }
            if let jwks = rule["jwks"]?.string {
                p.jwks = .inline(jwks)
            } else if let uri = rule["jwksUri"]?.string, uri.hasPrefix("file:") {
                // isvc's own: a JWKS file on this machine (`file:relative/path` or `file:///absolute`),
                // which Envoy reads as `local_jwks.filename` (istiod would fail to fetch it).
                p.jwks = .file(URL(string: uri)?.path ?? String(uri.dropFirst("file:".count)))
            } else if let uri = rule["jwksUri"]?.string, let url = URL(string: uri), let host = url.host {
                let port = url.port ?? (url.scheme == "https" ? 443 : 80)
                p.jwks = .remote(uri: uri, cluster: "outbound|\(port)||\(host)", timeout: "5s", cacheDuration: "300s")
            }
            p.fromHeaders = (rule["fromHeaders"]?.array ?? []).map { h in
                Envoy.JWTProvider.HeaderLocation(name: RouteTranslation.text(h["name"]), valuePrefix: RouteTranslation.text(h["prefix"]))
            }
            p.fromParams = (rule["fromParams"]?.array ?? []).map { RouteTranslation.text($0) }
            config[name] = p
        }
        // Istio's requirement: any one provider's valid token, or no token; with several providers a
        // token present for one must still be valid for the others (requires_all of any-or-missing).
        var requirements: [Envoy.JWTRequirement] = providers.map { .providerName($0.name) }
        if providers.count == 1 {
            requirements.append(.allowMissing)
        } else {
            requirements.append(.requiresAll(providers.map { p in .requiresAny([.providerName(p.name), .allowMissing]) }))
        }
        return Envoy.JWTAuthentication(
            providers: config, rules: [.init(match: Envoy.RouteMatch(.prefix("/")), requires: .requiresAny(requirements))],
            bypassCorsPreflight: true)
    }

    /// One RBAC filter per action present (DENY before ALLOW).
    func rbacFilters() -> [Envoy.RBAC] {
        let policies = authorizationPolicies.filter(Self.appliesToGateway)
        var out: [Envoy.RBAC] = []
        for action in [Envoy.RBAC.Action.deny, .allow] {
            var rbacPolicies: [String: Envoy.RBAC.Policy] = [:]
            var present = false
            for p in policies where (p[path: ["spec", "action"]]?.string ?? "ALLOW") == action.rawValue {
                present = true
                let ns = p[path: ["metadata", "namespace"]]?.string ?? ""
                let name = p[path: ["metadata", "name"]]?.string ?? ""
                // A policy without rules matches nothing (Istio's "allow-nothing" denies everything).
                for (i, rule) in (p[path: ["spec", "rules"]]?.array ?? []).enumerated() {
                    // Fail closed on fields isvc does not translate: an ALLOW rule then matches nothing;
                    // a DENY rule drops the condition and so denies more (both with a warning from check).
                    if action == .allow, !Self.untranslated(rule).isEmpty { continue }
                    rbacPolicies["ns[\(ns)]-policy[\(name)]-rule[\(i)]"] = policy(rule)
                }
            }
            // An ALLOW filter with no policy denies everything; a DENY filter with none denies nothing.
            guard present, action == .allow || !rbacPolicies.isEmpty else { continue }
            out.append(Envoy.RBAC(action: action, policies: rbacPolicies))
        }
        return out
    }

    func policy(_ rule: Value) -> Envoy.RBAC.Policy {
        // Permissions: every `to` entry is an alternative; inside one, each field must match.
        var permissions: [Envoy.Permission] = []
        for to in rule["to"]?.array ?? [] {
            let op = to["operation"] ?? [:]
            var all: [Envoy.Permission] = []
            if let paths = op["paths"]?.array?.compactMap(\.string), !paths.isEmpty {
                all.append(.orRules(paths.map { .urlPath(stringMatch($0)) }))
            }
            if let methods = op["methods"]?.array?.compactMap(\.string), !methods.isEmpty {
                all.append(.orRules(methods.map { .header(Envoy.HeaderMatcher(name: ":method", .stringMatch(.exact($0)))) }))
            }
            if let hosts = op["hosts"]?.array?.compactMap(\.string), !hosts.isEmpty {
                all.append(.orRules(hosts.map { .header(Envoy.HeaderMatcher(name: ":authority", .stringMatch(stringMatch($0)))) }))
            }
            permissions.append(all.isEmpty ? .any : .andRules(all))
        }
        for when in rule["when"]?.array ?? [] {
            guard let key = when["key"]?.string, key.hasPrefix("request.headers["), key.hasSuffix("]") else { continue }
            let header = String(key.dropFirst("request.headers[".count).dropLast())
            let values = when["values"]?.array?.compactMap(\.string) ?? []
            let cond = Envoy.Permission.orRules(values.map { .header(Envoy.HeaderMatcher(name: header, .stringMatch(stringMatch($0)))) })
            permissions = permissions.isEmpty ? [cond] : permissions.map { .andRules([$0, cond]) }
        }
        if permissions.isEmpty { permissions = [.any] }

        // Principals: every `from` entry is an alternative; request principals are `iss/sub` of a verified JWT.
        var principals: [Envoy.Principal] = []
        for from in rule["from"]?.array ?? [] {
            let source = from["source"] ?? [:]
            var all: [Envoy.Principal] = []
            if let rps = source["requestPrincipals"]?.array?.compactMap(\.string), !rps.isEmpty {
                all.append(.orIds(rps.map(requestPrincipal)))
            }
            if let rps = source["notRequestPrincipals"]?.array?.compactMap(\.string), !rps.isEmpty {
                all.append(.notId(.orIds(rps.map(requestPrincipal))))
            }
            principals.append(all.isEmpty ? .any : .andIds(all))
        }
        if principals.isEmpty { principals = [.any] }
        return Envoy.RBAC.Policy(permissions: permissions, principals: principals)
    }

    /// Istio's path/host patterns: exact, `prefix*`, `*suffix`, or `*`.
    func stringMatch(_ s: String) -> Envoy.StringMatcher {
        if s == "*" { return .safeRegex(".+") }
        if s.hasSuffix("*") { return .prefix(String(s.dropLast())) }
        if s.hasPrefix("*") { return .suffix(String(s.dropFirst())) }
        return .exact(s)
    }

    /// A request principal `iss/sub` (or `*`, any verified token) matched on any provider's payload.
    func requestPrincipal(_ principal: String) -> Envoy.Principal {
        let count = providers.count
        func claim(_ i: Int, _ key: String, _ match: Envoy.ValueMatcher) -> Envoy.Principal {
            .metadata(Envoy.MetadataMatcher(filter: "envoy.filters.http.jwt_authn", path: ["jwt_payload_\(i)", key], value: match))
        }
        let alternatives: [Envoy.Principal] = (0..<max(count, 1)).map { i in
            if principal == "*" { return claim(i, "iss", .presentMatch(true)) }
            let parts = principal.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { return claim(i, "iss", .stringMatch(.exact(principal))) }
            // The issuer may itself contain "/": split at the last one, as iss/sub strings are built.
            let cut = principal.lastIndex(of: "/")!
            let iss = String(principal[..<cut]), sub = String(principal[principal.index(after: cut)...])
            var ids: [Envoy.Principal] = []
            ids.append(iss == "*" ? claim(i, "iss", .presentMatch(true)) : claim(i, "iss", .stringMatch(.exact(iss))))
            if sub != "*" { ids.append(claim(i, "sub", .stringMatch(.exact(sub)))) }
            return .andIds(ids)
        }
        return alternatives.count == 1 ? alternatives[0] : .orIds(alternatives)
    }
}
