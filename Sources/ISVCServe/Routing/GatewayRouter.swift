import Foundation
import ISVCCore

/// The gateway's routing, taken from the typed Envoy configuration `isvc compile --emit envoy` prints
/// for the same plan: `isvc serve` routes exactly as that config routes in a real Envoy. A request enters
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

        public init(
            host: String, path: String, method: String = "GET", headers: [(name: String, value: String)] = [],
            scheme: String = "http"
        ) {
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
        /// The Envoy route (match, action, header operations, fault).
        public var route: Envoy.Route
        public var request: Request
        /// The route's timeout, retries, faults, mirrors and hashing, read once when the router is built.
        public var policy: RoutePolicy
    }

    public enum Failure: Error, Sendable, Equatable {
        /// No virtual host, or a virtual host without a matching route.
        public var isUnknownHostOrNoRoute: Bool {
            switch self {
            case .unknownHost, .noRoute: true
            default: false
            }
        }

        /// No virtual host for the Host header: the hosts that exist.
        case unknownHost(String, known: [String])
        /// A virtual host, but no route matched the request.
        case noRoute(String)
        /// A route matched whose backends are all missing or weighted 0 (a Gateway API rule: 500).
        case noBackend(String)
        case loop
    }

    /// One Envoy route, compiled once when the config is applied, so that no request interprets the
    /// config (bench/RESULTS.md has the measurement).
    struct Route: Sendable {
        enum Target: Sendable {
            case cluster(String)
            /// `weighted_clusters`: name, weight, and the cluster's own request header operations.
            case weighted([(name: String, weight: Int, headers: [HeaderOperation])], total: Int)
            /// No destination (every one weighted 0): no route.
            case none
        }

        var envoy: Envoy.Route
        var policy: RoutePolicy
        var condition: RouteMatch
        var target: Target
        var hostRewrite: String?
        var rewrites: Bool
        var timeoutSeconds: Double?
        var requestHeadersToAdd: [HeaderOperation]
        var requestHeadersToRemove: [String]

        init(_ r: Envoy.Route) {
            envoy = r
            policy = RoutePolicy(route: r)
            condition = RouteMatch(r.match)
            switch r.route.destination {
            case .cluster(let single)?:
                target = .cluster(single)
            case .weightedClusters(let clusters)? where !clusters.isEmpty:
                let list = clusters.map { c in
                    (name: c.name, weight: max(0, c.weight), headers: HeaderOperation.list(c.requestHeadersToAdd))
                }
                target = .weighted(list, total: list.reduce(0) { $0 + $1.weight })
            default:
                target = .none
            }
            hostRewrite = r.route.hostRewriteLiteral
            rewrites = r.route.prefixRewrite != nil || r.route.regexRewrite != nil
            timeoutSeconds = r.route.timeout?.seconds
            requestHeadersToAdd = HeaderOperation.list(r.requestHeadersToAdd)
            requestHeadersToRemove = r.requestHeadersToRemove
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
    /// The Envoy clusters' policies by name (load balancer, circuit breakers, outlier detection).
    public internal(set) var clusters: [String: ClusterPolicy]

    /// The router for a typed Envoy config; throws on what serve cannot run as Envoy would.
    public init(bootstrap: Envoy.Bootstrap, externalPort: Int = 8080, localGatewayHost: String) throws(UnsupportedEnvoyConfig) {
        var listeners: [Int: Listener] = [:]
        for (i, l) in bootstrap.listeners.enumerated() {
            let path = "static_resources.listeners[\(i)]"
            let port = l.address.portValue
            guard listeners[port] == nil else {
                throw UnsupportedEnvoyConfig(path: "\(path).address", reason: "a second listener on port \(port)")
            }
            let routeConfig = l.httpConnectionManager.routeConfig
            // The virtual host table matches hosts without their port, as istiod asks.
            guard routeConfig.ignorePortInHostMatching == true else {
                throw UnsupportedEnvoyConfig(
                    path: "\(path).route_config.ignore_port_in_host_matching",
                    reason: "serve matches hosts without their port; the config must say so (true)")
            }
            let vhosts = routeConfig.virtualHosts.map { vh in
                VirtualHost(name: vh.name, domains: vh.domains, routes: vh.routes.map(Route.init))
            }
            listeners[port] = Listener(port: port, virtualHosts: vhosts, table: VirtualHostTable(domains: vhosts.map(\.domains)))
        }
        self.listeners = listeners
        self.externalPort = externalPort
        var hops: [String: Int] = [:]
        var clusters: [String: ClusterPolicy] = [:]
        for (i, c) in bootstrap.clusters.enumerated() {
            clusters[c.name] = try ClusterPolicy(cluster: c, path: "static_resources.clusters[\(i)]")
            guard c.name.hasSuffix("|\(localGatewayHost)") else { continue }
            hops[c.name] = listeners.keys.first { $0 != externalPort } ?? externalPort + 1
        }
        internalClusters = hops
        self.clusters = clusters
    }

    /// Adds a virtual host to the external listener, after those it has (another gateway's routes,
    /// which serve answers on the same port: the KServe gateway's HTTPRoutes).
    mutating func addVirtualHost(name: String, domains: [String], routes: [Envoy.Route]) {
        guard var listener = listeners[externalPort] else { return }
        // istiod's `blackhole` host (every domain, no route: 404) stands for "no route here"; on the
        // shared port the other gateway's routes are there.
        listener.virtualHosts.removeAll { $0.name.hasPrefix("blackhole:") && $0.routes.isEmpty }
        listener.virtualHosts.append(VirtualHost(name: name, domains: domains, routes: routes.map(Route.init)))
        listener.table = VirtualHostTable(domains: listener.virtualHosts.map(\.domains))
        listeners[externalPort] = listener
    }

    /// Whether a cluster leads back into this gateway (the local gateway's hop).
    public func isInternal(_ cluster: String) -> Bool { internalClusters[cluster] != nil }

    /// Whether the cluster-local gateway routes `host` (an in-mesh caller's request for it).
    public func servesLocally(_ host: String) -> Bool {
        guard let port = localPort, let listener = listeners[port] else { return false }
        return listener.table.lookup(host) != nil
    }

    /// All hosts the external listener serves, for "unknown host" answers.
    public var knownHosts: [String] {
        (listeners[externalPort]?.virtualHosts ?? []).flatMap(\.domains).sorted()
    }

    /// The cluster-local gateway's listener (Knative's `knative-local-gateway`), where in-cluster
    /// callers such as a transformer reach `<isvc>-predictor.<namespace>`.
    public var localPort: Int? { listeners.keys.filter { $0 != externalPort }.min() }

    /// Routes a request entering the external listener (or `port`); `random` picks weighted clusters (0..<1).
    public func route(
        _ request: Request, enteringAt entry: Int? = nil,
        random: () -> Double = { Double.random(in: 0..<1) }
    ) -> Result<Decision, Failure> {
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
            case .none where route.envoy.route.clusterNotFoundResponseCode == "INTERNAL_SERVER_ERROR":
                // A Gateway API rule with no backend to send to: 500, as the Gateway API asks.
                return .failure(.noBackend(request.host))
            case .none:
                return .failure(.noRoute(request.host))
            }
            HeaderOperation.apply(route.requestHeadersToAdd, removing: route.requestHeadersToRemove, to: &request.headers)
            if let rewrite = route.hostRewrite { request.host = rewrite }
            if route.rewrites { request.path = Self.rewrite(request.path, action: route.envoy.route, match: route.envoy.match) }
            if let seconds = route.timeoutSeconds, seconds > 0 { timeout = seconds }
            trace.append("\(port) \(vhost.name) -> \(cluster)")
            taken.append(Hop(listenerPort: port, cluster: cluster, route: route.envoy, request: request, policy: route.policy))
            if let next = internalClusters[cluster] {
                // The local gateway is reached over plain HTTP inside the cluster.
                port = next
                request.scheme = "http"
                continue
            }
            return .success(
                Decision(
                    clusterHost: Self.serviceHost(ofCluster: cluster), request: request, timeoutSeconds: timeout, trace: trace, hops: taken)
            )
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
}
