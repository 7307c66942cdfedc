import Foundation

/// istiod's translation of VirtualService HTTP routes into Envoy v3 routes (`pilot/pkg/networking/core/route`).
struct RouteTranslation {
    let namespace: String
    /// Routes from Gateway API HTTPRoutes: a missing backend answers 500, as istiod sets it.
    var gatewayAPI = false

    /// The default retry policy Istio applies when a route sets no `retries` (since Istio 1.24 without
    /// retriable status codes).
    static let defaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"

    static func retryPolicy(
        retryOn: String, attempts: Int, perTryTimeout: String?, previousHosts: Bool = true,
        backoff: String? = nil
    ) -> Envoy.RetryPolicy {
        let (conditions, codes) = parseRetryOn(retryOn)
        return Envoy.RetryPolicy(
            retryOn: conditions, numRetries: attempts, hostSelectionRetryMaxAttempts: 5,
            retryHostPredicates: previousHosts ? [.previousHosts] : [], retriableStatusCodes: codes,
            perTryTimeout: perTryTimeout.map { Envoy.Duration(Durations.protobuf($0) ?? $0) },
            backOff: backoff.map { (Envoy.Duration(Durations.protobuf($0) ?? $0), nil) })
    }

    /// istiod's `parseRetryOn`: integers in `retryOn` are retriable status codes (then
    /// `retriable-status-codes` is added to the conditions when missing).
    static func parseRetryOn(_ retryOn: String) -> ([String], [Int]) {
        var conditions: [String] = []
        var codes: [Int] = []
        for part in retryOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let code = Int(part), (100...599).contains(code) { codes.append(code) } else { conditions.append(part) }
        }
        if !codes.isEmpty, !conditions.contains("retriable-status-codes") { conditions.append("retriable-status-codes") }
        return (conditions, codes)
    }

    /// A fully qualified service host: short names resolve in the VirtualService's namespace.
    func fqdn(_ host: String) -> String {
        if host.contains(".") { return host }
        return "\(host).\(namespace).svc.cluster.local"
    }

    static func clusterName(host: String, port: Int, subset: String?) -> String {
        "outbound|\(port)|\(subset ?? "")|\(host)"
    }

    /// Istio's StringMatch as Envoy's; an empty prefix (Istio's way to ask for a header to be
    /// present) is nil, and the caller emits `present_match`, as istiod does (Envoy refuses `prefix: ""`).
    static func stringMatcher(_ m: Value) -> Envoy.StringMatcher? {
        if let e = m["exact"]?.string { return .exact(e) }
        if let p = m["prefix"]?.string { return p.isEmpty ? nil : .prefix(p) }
        if let r = m["regex"]?.string { return .safeRegex(r) }
        return nil
    }

    /// One header condition of a VirtualService match as an Envoy `HeaderMatcher`: a string match, or
    /// `present_match` for an empty one (`{}`, `prefix: ""`, `regex: "*"`).
    static func headerMatcher(_ name: String, _ spec: Value, invert: Bool) -> Envoy.HeaderMatcher {
        if spec["regex"]?.string != "*", let sm = stringMatcher(spec) {
            return Envoy.HeaderMatcher(name: name, .stringMatch(sm), invertMatch: invert, treatMissingHeaderAsEmpty: invert)
        }
        return Envoy.HeaderMatcher(name: name, .present(true), invertMatch: invert)
    }

    /// Envoy routes for one HTTP route of a VirtualService, one per match entry that applies to `gateway`.
    func routes(for http: Value, gateway: String, vsGateways: [String]) -> [Envoy.Route] {
        let matches = http["match"]?.array ?? [[:]]
        var out: [Envoy.Route] = []
        for m in matches {
            if let gws = m["gateways"]?.array?.compactMap(\.string), !gws.map(qualify).contains(gateway) { continue }
            if m["gateways"] == nil, !vsGateways.contains(gateway) { continue }
            out.append(route(http, match: m))
        }
        return out
    }

    func qualify(_ gateway: String) -> String {
        gateway == "mesh" || gateway.contains("/") ? gateway : "\(namespace)/\(gateway)"
    }

    func routeMatch(_ m: Value) -> Envoy.RouteMatch {
        var path = Envoy.RouteMatch.Path.prefix("/")
        if let uri = m["uri"] {
            if let e = uri["exact"]?.string {
                path = .path(e)
            } else if let p = uri["prefix"]?.string {
                path = .prefix(p)
            } else if let r = uri["regex"]?.string {
                path = .safeRegex(r)
            }
        }
        // `headers` and `withoutHeaders` (inverted; a string match also treats a missing header as
        // empty, so that it matches), sorted by name, as istiod writes them.
        var named: [(name: String, order: Int, matcher: Envoy.HeaderMatcher)] = []
        for (order, key) in ["headers", "withoutHeaders"].enumerated() {
            for (name, spec) in m[key]?.object ?? [:] { named.append((name, order, Self.headerMatcher(name, spec, invert: order == 1))) }
        }
        var headers = named.sorted { ($0.name, $0.order) < ($1.name, $1.order) }.map(\.matcher)
        for (key, pseudo) in [("method", ":method"), ("authority", ":authority"), ("scheme", ":scheme")] {
            if let spec = m[key], let sm = Self.stringMatcher(spec) {
                headers.append(Envoy.HeaderMatcher(name: pseudo, .stringMatch(sm)))
            }
        }
        let query = (m["queryParams"]?.object ?? [:]).sorted { $0.key < $1.key }.map { name, spec in
            Envoy.QueryParameterMatcher(name: name, Self.stringMatcher(spec).map { .stringMatch($0) } ?? .present(true))
        }
        return Envoy.RouteMatch(path, caseSensitive: m["ignoreUriCase"] != .bool(true), headers: headers, queryParameters: query)
    }

    func route(_ http: Value, match m: Value) -> Envoy.Route {
        let timeout = Envoy.Duration(http["timeout"]?.string.map { Durations.protobuf($0) ?? $0 } ?? "0s")
        var action = Envoy.RouteAction(destination: nil, timeout: timeout, maxGrpcTimeout: timeout)
        if gatewayAPI { action.clusterNotFoundResponseCode = "INTERNAL_SERVER_ERROR" }
        let destinations = (http["route"]?.array ?? []).filter { ($0["weight"]?.int ?? 1) > 0 || (http["route"]?.array?.count ?? 0) == 1 }
        var routeHeaders = http[path: ["headers", "request"]] ?? [:]
        if destinations.count == 1 {
            action.destination = .cluster(cluster(destinations[0]))
            // A single destination's headers apply to the route.
            if let dh = destinations[0][path: ["headers", "request"]] { routeHeaders = mergeHeaderOps(routeHeaders, dh) }
        } else if !destinations.isEmpty {
            action.destination = .weightedClusters(
                destinations.map { d in
                    let (add, _, remove) = headerOps(d[path: ["headers", "request"]] ?? [:])
                    return Envoy.ClusterWeight(
                        name: cluster(d), weight: d["weight"]?.int ?? 0, requestHeadersToAdd: add, requestHeadersToRemove: remove)
                })
        }
        // Retries: Istio's default policy when unset; attempts 0 (as net-istio's `retries: {}`) turns them off.
        if let retries = http["retries"] {
            let attempts = retries["attempts"]?.int ?? 0
            if attempts > 0 {
                action.retryPolicy = Self.retryPolicy(
                    retryOn: retries["retryOn"]?.string ?? Self.defaultRetryOn,
                    attempts: attempts, perTryTimeout: retries["perTryTimeout"]?.string,
                    previousHosts: retries["retryIgnorePreviousHosts"] != .bool(false),
                    backoff: retries["backoff"]?.string)
            }
        } else {
            action.retryPolicy = Self.retryPolicy(retryOn: Self.defaultRetryOn, attempts: 2, perTryTimeout: nil)
        }
        if let rewrite = http["rewrite"] {
            if let uri = rewrite["uri"]?.string { action.prefixRewrite = uri }
            if let rr = rewrite["uriRegexRewrite"] {
                action.regexRewrite = Envoy.RegexRewrite(pattern: Self.text(rr["match"]), substitution: Self.text(rr["rewrite"]))
            }
            if let authority = rewrite["authority"]?.string { action.hostRewriteLiteral = authority }
        }
        if let mirror = http["mirror"], let host = mirror["host"]?.string {
            let pct =
                http[path: ["mirrorPercentage", "value"]].flatMap { v -> Double? in
                    if case .double(let d) = v { return d }
                    return v.int.map(Double.init)
                } ?? 100
            action.requestMirrorPolicies = [
                Envoy.MirrorPolicy(
                    cluster: Self.clusterName(
                        host: fqdn(host), port: mirror[path: ["port", "number"]]?.int ?? 80, subset: mirror["subset"]?.string),
                    fraction: Envoy.FractionalPercent(numerator: Int(saturating: pct * 10_000), denominator: .million),
                    traceSampled: false)
            ]
        }

        var out = Envoy.Route(match: routeMatch(m), route: action)
        if let name = http["name"]?.string {
            out.name = m["name"]?.string.map { "\(name).\($0)" } ?? name
        }
        let (add, hostRewrite, remove) = headerOps(routeHeaders)
        out.requestHeadersToAdd = add
        out.requestHeadersToRemove = remove
        if let hostRewrite { out.route.hostRewriteLiteral = hostRewrite }
        let (respAdd, _, respRemove) = headerOps(http[path: ["headers", "response"]] ?? [:])
        out.responseHeadersToAdd = respAdd
        out.responseHeadersToRemove = respRemove
        if let fault = http["fault"] { out.fault = faultConfig(fault) }
        return out
    }

    /// A scalar written where Istio expects a string, as the text the config carries.
    static func text(_ v: Value?) -> String {
        switch v {
        case .string(let s)?: s
        case .int(let i)?: String(i)
        case .bool(let b)?: String(b)
        case .double(let d)?: String(d)
        default: ""
        }
    }

    func cluster(_ destination: Value) -> String {
        let d = destination["destination"] ?? [:]
        return Self.clusterName(
            host: fqdn(d["host"]?.string ?? ""), port: d[path: ["port", "number"]]?.int ?? 80,
            subset: d["subset"]?.string)
    }

    func mergeHeaderOps(_ a: Value, _ b: Value) -> Value {
        var out = a
        for op in ["set", "add"] {
            var merged = a[op]?.object ?? [:]
            for (k, v) in b[op]?.object ?? [:] { merged[k] = v }
            if !merged.isEmpty { out[op] = .object(merged) }
        }
        let removes = (a["remove"]?.array ?? []) + (b["remove"]?.array ?? [])
        if !removes.isEmpty { out["remove"] = .array(removes) }
        return out
    }

    /// `set`/`add`/`remove` as Envoy header operations; setting Host becomes a host rewrite.
    func headerOps(_ ops: Value) -> (add: [Envoy.HeaderValueOption], hostRewrite: String?, remove: [String]) {
        var add: [Envoy.HeaderValueOption] = []
        var host: String?
        for (action, key) in [(Envoy.HeaderValueOption.AppendAction.overwriteIfExistsOrAdd, "set"), (.appendIfExistsOrAdd, "add")] {
            for (name, value) in (ops[key]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                let lower = name.lowercased()
                if lower == "host" || lower == ":authority" {
                    if key == "set" { host = value.string }
                    continue
                }
                if lower.hasPrefix(":") { continue }
                add.append(Envoy.HeaderValueOption(key: name, headerValue: Self.text(value), appendAction: action))
            }
        }
        let remove = (ops["remove"]?.array ?? []).compactMap(\.string)
        return (add, host, remove)
    }

    func faultConfig(_ fault: Value) -> Envoy.HTTPFault {
        func fraction(_ v: Value?) -> Envoy.FractionalPercent {
            let pct: Double
            switch v?["value"] {
            case .double(let d)?: pct = d
            case .int(let i)?: pct = Double(i)
            default: pct = 0
            }
            return Envoy.FractionalPercent(numerator: Int(saturating: (pct * 10_000).rounded()), denominator: .million)
        }
        var config = Envoy.HTTPFault()
        if let delay = fault["delay"] {
            let fixed = delay["fixedDelay"]?.string.map { Durations.protobuf($0) ?? $0 } ?? "0s"
            config.delay = (Envoy.Duration(fixed), fraction(delay["percentage"]))
        }
        if let abort = fault["abort"] {
            config.abort = Envoy.HTTPFault.Abort(
                percentage: fraction(abort["percentage"]), httpStatus: abort["httpStatus"]?.int,
                grpcStatus: abort["grpcStatus"]?.string)
        }
        return config
    }
}
