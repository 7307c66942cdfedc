import Foundation

/// A Gateway API `HTTPRoute`, as the compiled plan stores it, turned into Envoy routes the way
/// istiod turns one into a gateway's routes: one Envoy route per rule match, in the Gateway API's
/// order of precedence; `PathPrefix` as `path_separated_prefix` (element by element, a trailing `/`
/// ignored), `URLRewrite` as a prefix or regex rewrite, `RequestHeaderModifier` and
/// `ResponseHeaderModifier` as header operations, `backendRefs` as (weighted) clusters, and the
/// rule's `timeouts.request` as the route timeout (0s: none). What it does not translate is said in
/// `unsupported`, one line each.
public struct HTTPRouteTranslation: Sendable {
    /// One backendRef, resolved by the caller to an Envoy cluster name (nil: nothing runs behind it).
    public struct Backend: Sendable, Equatable {
        public var group: String
        public var kind: String
        public var name: String
        public var namespace: String
        public var port: Int?
    }

    /// An Envoy route with what orders it among every route of the listener.
    public struct Ranked: Sendable {
        public var route: Envoy.Route
        /// Gateway API precedence: exact path, longest prefix, method, header and query match counts.
        var key: (pathKind: Int, pathLength: Int, method: Int, headers: Int, query: Int)
        var routeName: String
        var ruleIndex: Int
        var matchIndex: Int
    }

    public private(set) var routes: [Ranked] = []
    public private(set) var unsupported: [String] = []

    public init() {}

    /// Adds every rule of one HTTPRoute object (`body`), each backendRef resolved by `cluster`.
    public mutating func add(route body: Value, namespace: String, name: String, cluster: (Backend) -> String?) {
        let what = "HTTPRoute \(namespace)/\(name)"
        if let hostnames = body[path: ["spec", "hostnames"]]?.array, !hostnames.isEmpty {
            unsupported.append("\(what): spec.hostnames are not matched; serve's one listener takes the route for every host")
        }
        for (r, rule) in (body[path: ["spec", "rules"]]?.array ?? []).enumerated() {
            let field = "\(what) spec.rules[\(r)]"
            var action = Envoy.RouteAction(destination: nil, timeout: .init("0s"))
            if let timeout = rule[path: ["timeouts", "request"]]?.string {
                if let seconds = Self.seconds(gatewayDuration: timeout) {
                    action.timeout = .init(seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s")
                } else {
                    unsupported.append("\(field).timeouts.request \(timeout) is not a Gateway API duration; the route has no timeout")
                }
            }
            if let backend = rule[path: ["timeouts", "backendRequest"]]?.string, Self.seconds(gatewayDuration: backend) != 0 {
                unsupported.append("\(field).timeouts.backendRequest \(backend) is not applied by serve (timeouts.request is)")
            }
            let backends = (rule["backendRefs"]?.array ?? []).compactMap { ref -> Envoy.ClusterWeight? in
                let backend = Backend(
                    group: ref["group"]?.string ?? "", kind: ref["kind"]?.string ?? "Service", name: ref["name"]?.string ?? "",
                    namespace: ref["namespace"]?.string ?? namespace, port: ref["port"]?.int)
                guard let name = cluster(backend) else {
                    unsupported.append(
                        "\(field): backendRef \(backend.kind) \(backend.namespace)/\(backend.name) has nothing running behind it")
                    return nil
                }
                return Envoy.ClusterWeight(name: name, weight: ref["weight"]?.int ?? 1)
            }
            // A backend weighted 0 takes no traffic; with none left the rule answers 500.
            .filter { $0.weight > 0 }
            switch backends.count {
            case 0: action.clusterNotFoundResponseCode = "INTERNAL_SERVER_ERROR"
            case 1: action.destination = .cluster(backends[0].name)
            default: action.destination = .weightedClusters(backends)
            }
            var headerOps = HeaderOperations()
            var rewrite: Value?
            for (f, filter) in (rule["filters"]?.array ?? []).enumerated() {
                switch filter["type"]?.string {
                case "URLRewrite":
                    rewrite = filter["urlRewrite"]
                    if let host = filter[path: ["urlRewrite", "hostname"]]?.string { action.hostRewriteLiteral = host }
                case "RequestHeaderModifier": headerOps.request(filter["requestHeaderModifier"])
                case "ResponseHeaderModifier": headerOps.response(filter["responseHeaderModifier"])
                case let other:
                    unsupported.append("\(field).filters[\(f)]: filter type \(other ?? "(none)") is not applied by serve")
                }
            }
            let matches = rule["matches"]?.array ?? []
            for (m, match) in (matches.isEmpty ? [Value.object([:])] : matches).enumerated() {
                guard let (envoyMatch, key, prefix) = Self.match(match, field: "\(field).matches[\(m)]", unsupported: &unsupported) else {
                    continue
                }
                var routeAction = action
                if let rewrite { Self.apply(rewrite, to: &routeAction, matchedPrefix: prefix) }
                let route = Envoy.Route(
                    name: "\(namespace).\(name).\(r).\(m)", match: envoyMatch, route: routeAction,
                    requestHeadersToAdd: headerOps.requestAdd, requestHeadersToRemove: headerOps.requestRemove,
                    responseHeadersToAdd: headerOps.responseAdd, responseHeadersToRemove: headerOps.responseRemove)
                routes.append(Ranked(route: route, key: key, routeName: "\(namespace)/\(name)", ruleIndex: r, matchIndex: m))
            }
        }
    }

    /// The routes in the Gateway API's order: exact paths, then prefixes longest first, then regular
    /// expressions; then a method match, more header matches, more query matches; then the route's
    /// namespace/name, its rule and match order (compiled routes share one creation time).
    public var ordered: [Envoy.Route] {
        routes.sorted { a, b in
            if a.key.pathKind != b.key.pathKind { return a.key.pathKind < b.key.pathKind }
            if a.key.pathLength != b.key.pathLength { return a.key.pathLength > b.key.pathLength }
            if a.key.method != b.key.method { return a.key.method > b.key.method }
            if a.key.headers != b.key.headers { return a.key.headers > b.key.headers }
            if a.key.query != b.key.query { return a.key.query > b.key.query }
            if a.routeName != b.routeName { return a.routeName < b.routeName }
            if a.ruleIndex != b.ruleIndex { return a.ruleIndex < b.ruleIndex }
            return a.matchIndex < b.matchIndex
        }
        .map(\.route)
    }

    /// A Gateway API duration (GEP-2257: up to four `<number><unit>` parts, units h, m, s, ms, as
    /// `1h30m` or `500ms`) in seconds; nil when it is not one.
    public static func seconds(gatewayDuration text: String) -> Double? {
        var total = 0.0
        var parts = 0
        var rest = Substring(text)
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 5, let n = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let scale: Double
            if rest.hasPrefix("ms") {
                scale = 0.001
                rest = rest.dropFirst(2)
            } else if let unit = rest.first, let s = ["h": 3600.0, "m": 60.0, "s": 1.0][unit] {
                scale = s
                rest = rest.dropFirst()
            } else {
                return nil
            }
            total += n * scale
            parts += 1
        }
        return parts > 0 && parts <= 4 ? total : nil
    }

    /// An HTTPRouteMatch as an Envoy match, its precedence key and the prefix a PathPrefix matched.
    static func match(
        _ m: Value, field: String, unsupported: inout [String]
    ) -> (Envoy.RouteMatch, (Int, Int, Int, Int, Int), String?)? {
        let type = m[path: ["path", "type"]]?.string ?? "PathPrefix"
        let value = m[path: ["path", "value"]]?.string ?? "/"
        let path: Envoy.RouteMatch.Path
        var prefix: String?
        let kind: Int
        switch type {
        case "Exact":
            path = .path(value)
            kind = 0
        case "PathPrefix":
            // "a trailing / is ignored": /v1/ and /v1 both match /v1 and /v1/x.
            let trimmed = value.count > 1 && value.hasSuffix("/") ? String(value.dropLast()) : value
            path = trimmed == "/" ? .prefix("/") : .pathSeparatedPrefix(trimmed)
            prefix = trimmed
            kind = 1
        case "RegularExpression":
            path = .safeRegex(value)
            kind = 2
        default:
            unsupported.append("\(field).path.type \(type) is not a Gateway API path match; the match is left out")
            return nil
        }
        var headers: [Envoy.HeaderMatcher] = []
        for h in m["headers"]?.array ?? [] {
            let name = h["name"]?.string ?? ""
            let v = h["value"]?.string ?? ""
            let pattern: Envoy.StringMatcher =
                h["type"]?.string == "RegularExpression" ? .init(.safeRegex(v)) : .init(.exact(v))
            headers.append(Envoy.HeaderMatcher(name: name.lowercased(), .stringMatch(pattern)))
        }
        let headerCount = headers.count
        var method = 0
        if let verb = m["method"]?.string {
            headers.append(Envoy.HeaderMatcher(name: ":method", .stringMatch(.init(.exact(verb)))))
            method = 1
        }
        let query = (m["queryParams"]?.array ?? []).map { q -> Envoy.QueryParameterMatcher in
            let v = q["value"]?.string ?? ""
            let pattern: Envoy.StringMatcher = q["type"]?.string == "RegularExpression" ? .init(.safeRegex(v)) : .init(.exact(v))
            return Envoy.QueryParameterMatcher(name: q["name"]?.string ?? "", .stringMatch(pattern))
        }
        let length = kind == 2 ? 0 : (prefix ?? value).count
        return (Envoy.RouteMatch(path, headers: headers, queryParameters: query), (kind, length, method, headerCount, query.count), prefix)
    }

    /// `URLRewrite.path`: `ReplaceFullPath` replaces the whole path; `ReplacePrefixMatch` the prefix
    /// matched (with `/` or a replacement ending in `/`, as a regex rewrite so that no `//` is made).
    static func apply(_ rewrite: Value, to action: inout Envoy.RouteAction, matchedPrefix: String?) {
        guard let type = rewrite[path: ["path", "type"]]?.string else { return }
        switch type {
        case "ReplaceFullPath":
            action.regexRewrite = .init(pattern: "^/.*$", substitution: rewrite[path: ["path", "replaceFullPath"]]?.string ?? "/")
        case "ReplacePrefixMatch":
            let replacement = rewrite[path: ["path", "replacePrefixMatch"]]?.string ?? "/"
            guard let prefix = matchedPrefix else { return }
            if replacement.isEmpty || replacement.hasSuffix("/") || prefix == "/" {
                let escaped = NSRegularExpression.escapedPattern(for: prefix == "/" ? "" : prefix)
                action.regexRewrite = .init(
                    pattern: "^\(escaped)/*", substitution: replacement.hasSuffix("/") ? replacement : replacement + "/")
            } else {
                action.prefixRewrite = replacement
            }
        default:
            break
        }
    }
}

/// A rule's header modifier filters as Envoy header operations.
private struct HeaderOperations {
    var requestAdd: [Envoy.HeaderValueOption] = []
    var requestRemove: [String] = []
    var responseAdd: [Envoy.HeaderValueOption] = []
    var responseRemove: [String] = []

    static func operations(_ modifier: Value?) -> (add: [Envoy.HeaderValueOption], remove: [String]) {
        var add: [Envoy.HeaderValueOption] = []
        for h in modifier?["set"]?.array ?? [] {
            add.append(.init(key: h["name"]?.string ?? "", headerValue: h["value"]?.string ?? "", appendAction: .overwriteIfExistsOrAdd))
        }
        for h in modifier?["add"]?.array ?? [] {
            add.append(.init(key: h["name"]?.string ?? "", headerValue: h["value"]?.string ?? "", appendAction: .appendIfExistsOrAdd))
        }
        return (add, (modifier?["remove"]?.array ?? []).compactMap(\.string))
    }

    mutating func request(_ modifier: Value?) {
        let (add, remove) = Self.operations(modifier)
        requestAdd += add
        requestRemove += remove
    }

    mutating func response(_ modifier: Value?) {
        let (add, remove) = Self.operations(modifier)
        responseAdd += add
        responseRemove += remove
    }
}
