import Foundation
import ISVCCore

/// The gateway's routing, taken from the Envoy configuration `isvc compile --emit envoy` prints for
/// the same plan: `isvc serve` routes exactly as that config routes in a real Envoy. A request enters
/// the external listener (8080); a route to the local gateway's cluster hops to the local listener
/// (8081) with the rewritten Host, as KServe's top-level VirtualService does in a cluster.
public struct GatewayRouter: Sendable {
    public struct Request: Sendable {
        public var host: String
        public var path: String
        public var method: String
        public var headers: [(name: String, value: String)]

        public init(host: String, path: String, method: String = "GET", headers: [(name: String, value: String)] = []) {
            self.host = host
            self.path = path
            self.method = method
            self.headers = headers
        }

        func header(_ name: String) -> String? {
            headers.first { GatewayRouter.sameName($0.name, name) }?.value
        }
    }

    /// Where a request goes: a service host (the cluster's), with the request as rewritten on the way.
    public struct Decision: Sendable {
        public var clusterHost: String
        public var request: Request
        public var timeoutSeconds: Double?
        /// The hops taken, for logs: `listener vhost -> cluster`.
        public var trace: [String]
        /// Each hop's matched Envoy route and cluster, outermost first (the last one reaches the workload),
        /// with the request as that hop sends it upstream: what retries, faults and mirrors act on.
        public var hops: [Hop] = []
    }

    public struct Hop: Sendable {
        public var cluster: String
        /// The Envoy route entry (`match`, `route`, response header operations, `typed_per_filter_config`).
        public var route: Value
        public var request: Request
        /// The route's timeout, retries, faults, mirrors and hashing, read once when the router is built.
        public var policy: RoutePolicy
    }

    public enum Failure: Error, Sendable, Equatable {
        /// No virtual host for the Host header: the hosts that exist.
        case unknownHost(String, known: [String])
        /// A virtual host, but no route matched the request.
        case noRoute(String)
        case loop
    }

    struct Route {
        var raw: Value
        var policy: RoutePolicy
        /// Read once from `match` and `route` (interpreting them per request was a tenth of a request's CPU).
        var prefix: String?
        var exactPath: String?
        var regex: String?
        var headerMatches: [Value]
        var rewrites: Bool
        var timeoutSeconds: Double?
        var match: Value
        var action: Value
        var requestHeadersToAdd: [Value]
        var requestHeadersToRemove: [String]
    }

    struct VirtualHost {
        var name: String
        var domains: [String]
        var routes: [Route]
    }

    struct Listener {
        var port: Int
        var virtualHosts: [VirtualHost]
    }

    let listeners: [Int: Listener]
    let externalPort: Int
    /// Clusters that lead back into this gateway (the local gateway's Service): cluster name -> listener port.
    let internalClusters: [String: Int]
    /// The Envoy clusters by name (load balancer, circuit breakers, outlier detection).
    public let clusters: [String: Value]

    public init(envoyConfig: Value, externalPort: Int = 8080, localGatewayHost: String) {
        var listeners: [Int: Listener] = [:]
        for l in envoyConfig[path: ["static_resources", "listeners"]]?.array ?? [] {
            let name = l["name"]?.string ?? ""
            let port = Int(name.split(separator: "_").last ?? "") ?? 0
            let hcm = l["filter_chains"]?.array?.first?["filters"]?.array?.first?["typed_config"] ?? [:]
            let vhosts: [VirtualHost] = (hcm[path: ["route_config", "virtual_hosts"]]?.array ?? []).map { vh in
                VirtualHost(name: vh["name"]?.string ?? "", domains: vh["domains"]?.array?.compactMap(\.string) ?? [],
                            routes: (vh["routes"]?.array ?? []).map { r in
                                Route(raw: r, policy: RoutePolicy(route: r),
                                      prefix: r[path: ["match", "prefix"]]?.string, exactPath: r[path: ["match", "path"]]?.string,
                                      regex: r[path: ["match", "safe_regex", "regex"]]?.string,
                                      headerMatches: r[path: ["match", "headers"]]?.array ?? [],
                                      rewrites: r[path: ["route", "prefix_rewrite"]] != nil || r[path: ["route", "regex_rewrite"]] != nil,
                                      timeoutSeconds: r[path: ["route", "timeout"]]?.string.flatMap(Self.seconds),
                                      match: r["match"] ?? [:], action: r["route"] ?? [:],
                                      requestHeadersToAdd: r["request_headers_to_add"]?.array ?? [],
                                      requestHeadersToRemove: r["request_headers_to_remove"]?.array?.compactMap(\.string) ?? [])
                            })
            }
            listeners[port] = Listener(port: port, virtualHosts: vhosts)
        }
        self.listeners = listeners
        self.externalPort = externalPort
        var hops: [String: Int] = [:]
        var clusters: [String: Value] = [:]
        for c in envoyConfig[path: ["static_resources", "clusters"]]?.array ?? [] {
            if let name = c["name"]?.string { clusters[name] = c }
            guard let name = c["name"]?.string, name.hasSuffix("|\(localGatewayHost)") else { continue }
            hops[name] = listeners.keys.first { $0 != externalPort } ?? externalPort + 1
        }
        internalClusters = hops
        self.clusters = clusters
    }

    /// Whether a cluster leads back into this gateway (the local gateway's hop).
    public func isInternal(_ cluster: String) -> Bool { internalClusters[cluster] != nil }

    /// All hosts the external listener serves, for "unknown host" answers.
    public var knownHosts: [String] {
        (listeners[externalPort]?.virtualHosts ?? []).flatMap(\.domains).sorted()
    }

    /// The cluster-local gateway's listener (Knative's `knative-local-gateway`), where in-cluster
    /// callers such as a transformer reach `<isvc>-predictor.<namespace>`.
    public var localPort: Int? { listeners.keys.filter { $0 != externalPort }.min() }

    /// Routes a request entering the external listener (or `port`); `random` picks weighted clusters (0..<1).
    public func route(_ request: Request, enteringAt entry: Int? = nil,
                      random: () -> Double = { Double.random(in: 0..<1) }) -> Result<Decision, Failure> {
        var request = request
        var port = entry ?? externalPort
        var trace: [String] = []
        var timeout: Double?
        var taken: [Hop] = []
        for _ in 0..<4 {
            guard let listener = listeners[port] else { return .failure(.unknownHost(request.host, known: knownHosts)) }
            let host = Self.hostWithoutPort(request.host).lowercased()
            guard let vhost = listener.virtualHosts.first(where: { vh in vh.domains.contains { Self.domain($0, matches: host) } }) else {
                return .failure(.unknownHost(request.host, known: knownHosts))
            }
            let pathOnly = request.path.firstIndex(of: "?").map { String(request.path[..<$0]) } ?? request.path
            guard let route = vhost.routes.first(where: { Self.matches($0, path: pathOnly, request) }) else {
                return .failure(.noRoute(request.host))
            }
            let cluster: String
            if let single = route.action["cluster"]?.string {
                cluster = single
            } else if let clusters = route.action[path: ["weighted_clusters", "clusters"]]?.array, !clusters.isEmpty {
                let total = clusters.compactMap { $0["weight"]?.int }.reduce(0, +)
                var pick = random() * Double(max(total, 1))
                var chosen = clusters.last!
                for c in clusters {
                    pick -= Double(c["weight"]?.int ?? 0)
                    if pick < 0 { chosen = c; break }
                }
                cluster = chosen["name"]?.string ?? ""
                Self.apply(chosen["request_headers_to_add"]?.array ?? [], remove: [], to: &request)
            } else {
                return .failure(.noRoute(request.host))
            }
            Self.apply(route.requestHeadersToAdd, remove: route.requestHeadersToRemove, to: &request)
            if let rewrite = route.action["host_rewrite_literal"]?.string { request.host = rewrite }
            if route.rewrites { request.path = Self.rewrite(request.path, action: route.action, match: route.match) }
            if let seconds = route.timeoutSeconds, seconds > 0 { timeout = seconds }
            trace.append("\(port) \(vhost.name) -> \(cluster)")
            taken.append(Hop(cluster: cluster, route: route.raw, request: request, policy: route.policy))
            if let next = internalClusters[cluster] {
                port = next
                continue
            }
            let target = cluster.split(separator: "|", omittingEmptySubsequences: false).last.map(String.init) ?? cluster
            return .success(Decision(clusterHost: target, request: request, timeoutSeconds: timeout, trace: trace, hops: taken))
        }
        return .failure(.loop)
    }

    static func hostWithoutPort(_ host: String) -> String {
        guard host.utf8.contains(UInt8(ascii: ":")) else { return host }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"), Int(host[host.index(after: colon)...]) != nil {
            return String(host[..<colon])
        }
        return host
    }

    static func domain(_ pattern: String, matches host: String) -> Bool {
        if pattern == "*" || pattern == host { return true }
        if pattern.hasPrefix("*") { return host.hasSuffix(pattern.dropFirst()) }
        return false
    }

    static func matches(_ match: Value, _ request: Request) -> Bool {
        let path = String(request.path.split(separator: "?", maxSplits: 1).first ?? "")
        return matches(prefix: match["prefix"]?.string, exactPath: match["path"]?.string, regex: match[path: ["safe_regex", "regex"]]?.string,
                       headers: match["headers"]?.array ?? [], path: path, request)
    }

    static func matches(_ route: Route, path: String, _ request: Request) -> Bool {
        matches(prefix: route.prefix, exactPath: route.exactPath, regex: route.regex, headers: route.headerMatches, path: path, request)
    }

    static func matches(prefix: String?, exactPath: String?, regex: String?, headers: [Value], path: String, _ request: Request) -> Bool {
        if let p = prefix, !path.hasPrefix(p) { return false }
        if let p = exactPath, path != p { return false }
        if let r = regex, !fullMatch(r, path) { return false }
        for h in headers {
            let name = h["name"]?.string ?? ""
            let value: String?
            switch name {
            case ":authority": value = request.host
            case ":method": value = request.method
            case ":path": value = request.path
            default: value = request.header(name)
            }
            if h["present_match"] == .bool(true) {
                if value == nil { return false }
                continue
            }
            guard let value, let sm = h["string_match"], stringMatch(sm, value) else { return false }
        }
        return true
    }

    static func stringMatch(_ sm: Value, _ value: String) -> Bool {
        if let e = sm["exact"]?.string { return value == e }
        if let p = sm["prefix"]?.string { return value.hasPrefix(p) }
        if let s = sm["suffix"]?.string { return value.hasSuffix(s) }
        if let r = sm[path: ["safe_regex", "regex"]]?.string { return fullMatch(r, value) }
        return false
    }

    /// RE2 full match, approximated with NSRegularExpression anchored at both ends. Patterns are
    /// compiled once (compiling one took most of a request's time).
    static func fullMatch(_ pattern: String, _ text: String) -> Bool {
        guard let regex = regexes.compiled(pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static let regexes = RegexCache()

    /// Header names compared as HTTP does, ASCII case-insensitively, without allocating.
    static func sameName(_ a: String, _ b: String) -> Bool {
        var i = a.utf8.makeIterator(), j = b.utf8.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y && (x | 0x20) != (y | 0x20) { return false }
                if x != y && !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A) { return false }
            default: return false
            }
        }
    }

    static func apply(_ add: [Value], remove: [String], to request: inout Request) {
        for name in remove { request.headers.removeAll { sameName($0.name, name) } }
        for h in add {
            guard let key = h[path: ["header", "key"]]?.string, let value = h[path: ["header", "value"]]?.string else { continue }
            if h["append_action"]?.string != "APPEND_IF_EXISTS_OR_ADD" {
                request.headers.removeAll { sameName($0.name, key) }
            }
            request.headers.append((key, value))
        }
    }

    static func seconds(_ duration: String) -> Double? {
        guard duration.hasSuffix("s") else { return nil }
        return Double(duration.dropLast())
    }
}
