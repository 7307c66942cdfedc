import Foundation

/// istiod's translation of VirtualService HTTP routes into Envoy v3 routes (`pilot/pkg/networking/core/route`).
struct RouteTranslation {
    let namespace: String
    /// Routes from Gateway API HTTPRoutes: a missing backend answers 500, as istiod sets it.
    var gatewayAPI = false

    /// The default retry policy Istio applies when a route sets no `retries` (since Istio 1.24 without
    /// retriable status codes).
    static let defaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"

    static func retryPolicy(retryOn: String, attempts: Int, perTryTimeout: String?, previousHosts: Bool = true,
                            backoff: String? = nil) -> Value {
        let (conditions, codes) = parseRetryOn(retryOn)
        var p: Value = [
            "retry_on": .string(conditions),
            "num_retries": .int(attempts),
            "host_selection_retry_max_attempts": 5,
        ]
        if previousHosts {
            p["retry_host_predicate"] = [["name": "envoy.retry_host_predicates.previous_hosts",
                                          "typed_config": ["@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"]]]
        }
        if !codes.isEmpty { p["retriable_status_codes"] = .array(codes.map { .int($0) }) }
        if let perTryTimeout { p["per_try_timeout"] = .string(Durations.protobuf(perTryTimeout) ?? perTryTimeout) }
        if let backoff { p["retry_back_off"] = ["base_interval": .string(backoff)] }
        return p
    }

    /// istiod's `parseRetryOn`: integers in `retryOn` are retriable status codes (then
    /// `retriable-status-codes` is added to the conditions when missing).
    static func parseRetryOn(_ retryOn: String) -> (String, [Int]) {
        var conditions: [String] = []
        var codes: [Int] = []
        for part in retryOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let code = Int(part), (100...599).contains(code) { codes.append(code) } else { conditions.append(part) }
        }
        if !codes.isEmpty, !conditions.contains("retriable-status-codes") { conditions.append("retriable-status-codes") }
        return (conditions.joined(separator: ","), codes)
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
    static func stringMatcher(_ m: Value) -> Value? {
        if let e = m["exact"]?.string { return ["exact": .string(e)] }
        if let p = m["prefix"]?.string { return p.isEmpty ? nil : ["prefix": .string(p)] }
        if let r = m["regex"]?.string { return ["safe_regex": ["regex": .string(r)]] }
        return nil
    }

    /// One header condition of a VirtualService match as an Envoy `HeaderMatcher`: a string match, or
    /// `present_match` for an empty one (`{}`, `prefix: ""`, `regex: "*"`).
    static func headerMatcher(_ name: String, _ spec: Value, invert: Bool) -> Value {
        var matcher: Value = ["name": .string(name)]
        if spec["regex"]?.string != "*", let sm = stringMatcher(spec) {
            matcher["string_match"] = sm
            if invert {
                matcher["invert_match"] = true
                matcher["treat_missing_header_as_empty"] = true
            }
        } else {
            matcher["present_match"] = true
            if invert { matcher["invert_match"] = true }
        }
        return matcher
    }

    /// Envoy routes for one HTTP route of a VirtualService, one per match entry that applies to `gateway`.
    func routes(for http: Value, gateway: String, vsGateways: [String]) -> [Value] {
        let matches = http["match"]?.array ?? [[:]]
        var out: [Value] = []
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

    func route(_ http: Value, match m: Value) -> Value {
        var match: Value = ["case_sensitive": .bool(m["ignoreUriCase"] != .bool(true))]
        if let uri = m["uri"] {
            if let e = uri["exact"]?.string { match["path"] = .string(e) }
            else if let p = uri["prefix"]?.string { match["prefix"] = .string(p) }
            else if let r = uri["regex"]?.string { match["safe_regex"] = ["regex": .string(r)] }
        } else {
            match["prefix"] = "/"
        }
        // `headers` and `withoutHeaders` (inverted; a string match also treats a missing header as
        // empty, so that it matches), sorted by name, as istiod writes them.
        var named: [(name: String, order: Int, matcher: Value)] = []
        for (order, key) in ["headers", "withoutHeaders"].enumerated() {
            for (name, spec) in m[key]?.object ?? [:] { named.append((name, order, Self.headerMatcher(name, spec, invert: order == 1))) }
        }
        var headers = named.sorted { ($0.name, $0.order) < ($1.name, $1.order) }.map(\.matcher)
        for (key, pseudo) in [("method", ":method"), ("authority", ":authority"), ("scheme", ":scheme")] {
            if let spec = m[key], let sm = Self.stringMatcher(spec) {
                headers.append(["name": .string(pseudo), "string_match": sm])
            }
        }
        if !headers.isEmpty { match["headers"] = .array(headers) }
        if let q = m["queryParams"]?.object, !q.isEmpty {
            match["query_parameters"] = .array(q.sorted { $0.key < $1.key }.map { name, spec in
                if let sm = Self.stringMatcher(spec) { return ["name": .string(name), "string_match": sm] }
                return ["name": .string(name), "present_match": true]
            })
        }

        let timeout = http["timeout"]?.string.map { Durations.protobuf($0) ?? $0 } ?? "0s"
        var route: Value = ["timeout": .string(timeout), "max_grpc_timeout": .string(timeout)]
        if gatewayAPI { route["cluster_not_found_response_code"] = "INTERNAL_SERVER_ERROR" }
        let destinations = (http["route"]?.array ?? []).filter { ($0["weight"]?.int ?? 1) > 0 || (http["route"]?.array?.count ?? 0) == 1 }
        var routeHeaders = http[path: ["headers", "request"]] ?? [:]
        if destinations.count == 1 {
            route["cluster"] = .string(cluster(destinations[0]))
            // A single destination's headers apply to the route.
            if let dh = destinations[0][path: ["headers", "request"]] { routeHeaders = mergeHeaderOps(routeHeaders, dh) }
        } else if !destinations.isEmpty {
            route["weighted_clusters"] = ["clusters": .array(destinations.map { d in
                var c: Value = ["name": .string(cluster(d)), "weight": .int(d["weight"]?.int ?? 0)]
                let (add, _, remove) = headerOps(d[path: ["headers", "request"]] ?? [:])
                if !add.isEmpty { c["request_headers_to_add"] = .array(add) }
                if !remove.isEmpty { c["request_headers_to_remove"] = .array(remove.map { .string($0) }) }
                return c
            })]
        }
        // Retries: Istio's default policy when unset; attempts 0 (as net-istio's `retries: {}`) turns them off.
        if let retries = http["retries"] {
            let attempts = retries["attempts"]?.int ?? 0
            if attempts > 0 {
                route["retry_policy"] = Self.retryPolicy(retryOn: retries["retryOn"]?.string ?? Self.defaultRetryOn,
                                                          attempts: attempts, perTryTimeout: retries["perTryTimeout"]?.string,
                                                          previousHosts: retries["retryIgnorePreviousHosts"] != .bool(false),
                                                          backoff: retries["backoff"]?.string)
            }
        } else {
            route["retry_policy"] = Self.retryPolicy(retryOn: Self.defaultRetryOn, attempts: 2, perTryTimeout: nil)
        }
        if let rewrite = http["rewrite"] {
            if let uri = rewrite["uri"]?.string { route["prefix_rewrite"] = .string(uri) }
            if let rr = rewrite["uriRegexRewrite"] {
                route["regex_rewrite"] = ["pattern": ["regex": rr["match"] ?? ""], "substitution": rr["rewrite"] ?? ""]
            }
            if let authority = rewrite["authority"]?.string { route["host_rewrite_literal"] = .string(authority) }
        }
        if let mirror = http["mirror"], let host = mirror["host"]?.string {
            let pct = http[path: ["mirrorPercentage", "value"]].flatMap { v -> Double? in
                if case .double(let d) = v { return d }
                return v.int.map(Double.init)
            } ?? 100
            route["request_mirror_policies"] = [[
                "cluster": .string(Self.clusterName(host: fqdn(host), port: mirror[path: ["port", "number"]]?.int ?? 80,
                                                    subset: mirror["subset"]?.string)),
                "runtime_fraction": ["default_value": ["numerator": .int(Int(saturating: pct * 10_000)), "denominator": "MILLION"]],
                "trace_sampled": false,
            ]]
        }

        var out: Value = ["match": match, "route": route]
        if let name = http["name"]?.string {
            out["name"] = .string(m["name"]?.string.map { "\(name).\($0)" } ?? name)
        }
        let (add, hostRewrite, remove) = headerOps(routeHeaders)
        if !add.isEmpty { out["request_headers_to_add"] = .array(add) }
        if !remove.isEmpty { out["request_headers_to_remove"] = .array(remove.map { .string($0) }) }
        if let hostRewrite { out[path: ["route", "host_rewrite_literal"]] = .string(hostRewrite) }
        let (respAdd, _, respRemove) = headerOps(http[path: ["headers", "response"]] ?? [:])
        if !respAdd.isEmpty { out["response_headers_to_add"] = .array(respAdd) }
        if !respRemove.isEmpty { out["response_headers_to_remove"] = .array(respRemove.map { .string($0) }) }
        if let fault = http["fault"] { out["typed_per_filter_config"] = ["envoy.filters.http.fault": faultConfig(fault)] }
        return out
    }

    func cluster(_ destination: Value) -> String {
        let d = destination["destination"] ?? [:]
        return Self.clusterName(host: fqdn(d["host"]?.string ?? ""), port: d[path: ["port", "number"]]?.int ?? 80,
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
    func headerOps(_ ops: Value) -> (add: [Value], hostRewrite: String?, remove: [String]) {
        var add: [Value] = []
        var host: String?
        for (action, key) in [("OVERWRITE_IF_EXISTS_OR_ADD", "set"), ("APPEND_IF_EXISTS_OR_ADD", "add")] {
            for (name, value) in (ops[key]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                let lower = name.lowercased()
                if lower == "host" || lower == ":authority" {
                    if key == "set" { host = value.string }
                    continue
                }
                if lower.hasPrefix(":") { continue }
                add.append(["header": ["key": .string(name), "value": value], "append_action": .string(action)])
            }
        }
        let remove = (ops["remove"]?.array ?? []).compactMap(\.string)
        return (add, host, remove)
    }

    func faultConfig(_ fault: Value) -> Value {
        func fraction(_ v: Value?) -> Value {
            let pct: Double
            switch v?["value"] {
            case .double(let d)?: pct = d
            case .int(let i)?: pct = Double(i)
            default: pct = 0
            }
            return ["numerator": .int(Int(saturating: (pct * 10_000).rounded())), "denominator": "MILLION"]
        }
        var config: Value = ["@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"]
        if let delay = fault["delay"] {
            let fixed = delay["fixedDelay"]?.string.map { Durations.protobuf($0) ?? $0 } ?? "0s"
            config["delay"] = ["fixed_delay": .string(fixed), "percentage": fraction(delay["percentage"])]
        }
        if let abort = fault["abort"] {
            var a: Value = ["percentage": fraction(abort["percentage"])]
            if let status = abort["httpStatus"]?.int { a["http_status"] = .int(status) }
            if let grpc = abort["grpcStatus"]?.string { a["grpc_status"] = .string(grpc) }
            config["abort"] = a
        }
        return config
    }
}
