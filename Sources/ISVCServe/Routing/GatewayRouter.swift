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
        /// `http`, or `https` on the TLS listener (the `:scheme` a route may match).
        public var scheme: String

        public init(host: String, path: String, method: String = "GET", headers: [(name: String, value: String)] = [],
                    scheme: String = "http") {
            self.host = host
            self.path = path
            self.method = method
            self.headers = headers
            self.scheme = scheme
        }

        func header(_ name: String) -> String? {
            headers.first { GatewayRouter.sameName($0.name, name) }?.value
        }

        /// Every value of a header joined with commas, as Envoy matches a repeated header; nil when absent.
        func joinedHeader(_ name: String) -> String? {
            var joined: String?
            for h in headers where GatewayRouter.sameName(h.name, name) {
                joined = joined.map { $0 + "," + h.value } ?? h.value
            }
            return joined
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
        /// The listener whose route table matched this hop (its security filters are that listener's).
        public var listenerPort: Int
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

    /// One Envoy route, read once (interpreting the config's values per request was a tenth of a
    /// request's CPU).
    struct Route: Sendable {
        enum Target: Sendable {
            case cluster(String)
            /// `weighted_clusters`: name, weight, and the cluster's own request header operations.
            case weighted([(name: String, weight: Int, headers: [HeaderOperation])], total: Int)
            /// No action isvc can follow (a redirect, a direct response): no route.
            case none
        }

        var raw: Value
        var policy: RoutePolicy
        var condition: RouteMatch
        var target: Target
        var hostRewrite: String?
        var rewrites: Bool
        var timeoutSeconds: Double?
        var match: Value
        var action: Value
        var requestHeadersToAdd: [HeaderOperation]
        var requestHeadersToRemove: [String]

        init(_ r: Value) {
            raw = r
            policy = RoutePolicy(route: r)
            match = r["match"] ?? [:]
            action = r["route"] ?? [:]
            condition = RouteMatch(match)
            if let single = action["cluster"]?.string {
                target = .cluster(single)
            } else if let clusters = action[path: ["weighted_clusters", "clusters"]]?.array, !clusters.isEmpty {
                let list = clusters.map { c in
                    (name: c["name"]?.string ?? "", weight: max(0, c["weight"]?.int ?? 0), headers: HeaderOperation.list(c["request_headers_to_add"]))
                }
                target = .weighted(list, total: list.reduce(0) { $0 + $1.weight })
            } else {
                target = .none
            }
            hostRewrite = action["host_rewrite_literal"]?.string
            rewrites = action["prefix_rewrite"] != nil || action["regex_rewrite"] != nil
            timeoutSeconds = action["timeout"]?.string.flatMap(GatewayRouter.seconds)
            requestHeadersToAdd = HeaderOperation.list(r["request_headers_to_add"])
            requestHeadersToRemove = r["request_headers_to_remove"]?.array?.compactMap(\.string) ?? []
        }
    }

    struct VirtualHost: Sendable {
        var name: String
        var domains: [String]
        var routes: [Route]
    }

    struct Listener: Sendable {
        var port: Int
        var virtualHosts: [VirtualHost]
        var table: VirtualHostTable
    }

    var listeners: [Int: Listener]
    let externalPort: Int
    /// Clusters that lead back into this gateway (the local gateway's Service): cluster name -> listener port.
    let internalClusters: [String: Int]
    /// The Envoy clusters by name (load balancer, circuit breakers, outlier detection).
    public internal(set) var clusters: [String: Value]

    public init(envoyConfig: Value, externalPort: Int = 8080, localGatewayHost: String) {
        var listeners: [Int: Listener] = [:]
        for l in envoyConfig[path: ["static_resources", "listeners"]]?.array ?? [] {
            let name = l["name"]?.string ?? ""
            let port = Int(name.split(separator: "_").last ?? "") ?? 0
            let hcm = l["filter_chains"]?.array?.first?["filters"]?.array?.first?["typed_config"] ?? [:]
            let vhosts: [VirtualHost] = (hcm[path: ["route_config", "virtual_hosts"]]?.array ?? []).map { vh in
                VirtualHost(name: vh["name"]?.string ?? "", domains: vh["domains"]?.array?.compactMap(\.string) ?? [],
                            routes: (vh["routes"]?.array ?? []).map(Route.init))
            }
            listeners[port] = Listener(port: port, virtualHosts: vhosts, table: VirtualHostTable(domains: vhosts.map(\.domains)))
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
            guard let listener = listeners[port], let v = listener.table.lookup(request.host) else {
                return .failure(.unknownHost(request.host, known: knownHosts))
            }
            let vhost = listener.virtualHosts[v]
            let pathOnly = request.path.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(request.path[..<$0]) } ?? request.path
            guard let route = vhost.routes.first(where: { $0.condition.matches(path: pathOnly, request) }) else {
                return .failure(.noRoute(request.host))
            }
            let cluster: String
            switch route.target {
            case .cluster(let name):
                cluster = name
            case .weighted(let clusters, let total):
                var pick = random() * Double(max(total, 1))
                var chosen = clusters[clusters.count - 1]
                for c in clusters {
                    pick -= Double(c.weight)
                    if pick < 0 { chosen = c; break }
                }
                cluster = chosen.name
                HeaderOperation.apply(chosen.headers, removing: [], to: &request.headers)
            case .none:
                return .failure(.noRoute(request.host))
            }
            HeaderOperation.apply(route.requestHeadersToAdd, removing: route.requestHeadersToRemove, to: &request.headers)
            if let rewrite = route.hostRewrite { request.host = rewrite }
            if route.rewrites { request.path = Self.rewrite(request.path, action: route.action, match: route.match) }
            if let seconds = route.timeoutSeconds, seconds > 0 { timeout = seconds }
            trace.append("\(port) \(vhost.name) -> \(cluster)")
            taken.append(Hop(listenerPort: port, cluster: cluster, route: route.raw, request: request, policy: route.policy))
            if let next = internalClusters[cluster] {
                // The local gateway is reached over plain HTTP inside the cluster.
                port = next
                request.scheme = "http"
                continue
            }
            return .success(Decision(clusterHost: Self.serviceHost(ofCluster: cluster), request: request, timeoutSeconds: timeout, trace: trace, hops: taken))
        }
        return .failure(.loop)
    }

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

    /// The service host of an Istio cluster name (`outbound|80||<host>`): what follows the last `|`.
    static func serviceHost(ofCluster name: String) -> String {
        guard let bar = name.utf8.lastIndex(of: UInt8(ascii: "|")) else { return name }
        return String(name[name.utf8.index(after: bar)...])
    }

    static func seconds(_ duration: String) -> Double? {
        guard duration.hasSuffix("s") else { return nil }
        return Double(duration.dropLast())
    }
}
