/// Envoy clusters as istiod builds them for the gateway (`cluster_builder.go`,
/// `cluster_traffic_policy.go`): Istio's defaults, overridden by the DestinationRule for the host
/// (a subset's blocks replace the top-level ones whole).
struct ClusterBuilder {
    let destinationRules: [Value]

    static let maxUInt32 = 4_294_967_295

    func trafficPolicy(host: String, subset: String?) -> Value {
        guard
            let dr = destinationRules.first(where: { dr in
                let ns = dr[path: ["metadata", "namespace"]]?.string ?? "default"
                return RouteTranslation(namespace: ns).fqdn(dr[path: ["spec", "host"]]?.string ?? "") == host
            })
        else { return [:] }
        var policy = dr[path: ["spec", "trafficPolicy"]]?.object ?? [:]
        if let subset, let s = dr[path: ["spec", "subsets"]]?.array?.first(where: { $0["name"]?.string == subset }) {
            for (k, v) in s["trafficPolicy"]?.object ?? [:] { policy[k] = v }
        }
        return .object(policy)
    }

    /// A cluster for a service port; `http2` when the port's protocol is HTTP/2, gRPC or gRPC-Web
    /// (`ServicePortProtocols`), which istiod sets before the DestinationRule applies.
    func cluster(name: String, host: String, port: Int, subset: String?, http2: Bool = false, endpoint: (String, Int)) -> Envoy.Cluster {
        let policy = trafficPolicy(host: host, subset: subset)
        let timeout = policy[path: ["connectionPool", "tcp", "connectTimeout"]]?.string.map { Durations.protobuf($0) ?? $0 } ?? "10s"
        var cluster = Envoy.Cluster(
            name: name, connectTimeout: Envoy.Duration(timeout), lbPolicy: lbPolicy(policy["loadBalancer"]),
            endpoints: [[Envoy.SocketAddress(address: endpoint.0, portValue: endpoint.1)]])
        if let hash = policy[path: ["loadBalancer", "consistentHash"]] {
            // istiod: MAGLEV with its table size when set; otherwise a ring of at least 1024 entries
            // (the deprecated minimumRingSize, or ringHash.minimumRingSize, when set).
            if let maglev = hash["maglev"] {
                if let size = maglev["tableSize"]?.int, size > 0 { cluster.maglevTableSize = size }
            } else {
                let size = hash[path: ["ringHash", "minimumRingSize"]]?.int ?? hash["minimumRingSize"]?.int ?? 0
                cluster.ringHashMinimumRingSize = size > 0 ? size : 1024
            }
        }
        let pool = policy["connectionPool"] ?? [:]
        func limit(_ v: Value?) -> Int { v.flatMap(\.int) ?? Self.maxUInt32 }
        cluster.circuitBreakers = Envoy.CircuitBreakers(
            maxConnections: limit(pool[path: ["tcp", "maxConnections"]]),
            maxPendingRequests: limit(pool[path: ["http", "http1MaxPendingRequests"]]),
            maxRequests: limit(pool[path: ["http", "http2MaxRequests"]]),
            maxRetries: limit(pool[path: ["http", "maxRetries"]]),
            trackRemaining: true)
        cluster.httpProtocolOptions = Self.httpProtocolOptions(pool: pool, http2Port: http2)
        if let outlier = policy["outlierDetection"] {
            var o = Envoy.OutlierDetection(enforcingSuccessRate: 0)
            if let n = outlier["consecutive5xxErrors"]?.int {
                o.consecutive5xx = n
                o.enforcingConsecutive5xx = n == 0 ? 0 : 100
            }
            if let n = outlier["consecutiveGatewayErrors"]?.int {
                o.consecutiveGatewayFailure = n
                o.enforcingConsecutiveGatewayFailure = n == 0 ? 0 : 100
            }
            if let v = outlier["interval"]?.string { o.interval = Envoy.Duration(Durations.protobuf(v) ?? v) }
            if let v = outlier["baseEjectionTime"]?.string { o.baseEjectionTime = Envoy.Duration(Durations.protobuf(v) ?? v) }
            if let v = outlier["maxEjectionPercent"]?.int, v > 0 { o.maxEjectionPercent = v }
            cluster.outlierDetection = o
            cluster.commonLbConfig = Envoy.CommonLbConfig(healthyPanicThreshold: outlier["minHealthPercent"]?.int ?? 0)
        }
        return cluster
    }

    /// istiod's upstream protocol and connection-pool options, in its order: an HTTP/2-family port
    /// makes the cluster HTTP/2 (`setUpstreamProtocol`); `h2UpgradePolicy: UPGRADE` does too unless
    /// `useClientProtocol` is set (`shouldH2Upgrade`); the pool's idle timeout, requests per connection
    /// and connection duration, and `maxConcurrentStreams` on an HTTP/2 cluster (`applyConnectionPool`);
    /// then `useClientProtocol` replaces the protocol with the client's. Nil when nothing applies.
    static func httpProtocolOptions(pool: Value, http2Port: Bool) -> Envoy.HTTPProtocolOptions? {
        let http = pool["http"] ?? [:]
        let tcp = pool["tcp"] ?? [:]
        func duration(_ v: Value?) -> Envoy.Duration? { v?.string.map { Envoy.Duration(Durations.protobuf($0) ?? $0) } }
        var upstream: Envoy.HTTPProtocolOptions.Upstream? = http2Port ? .http2(maxConcurrentStreams: nil) : nil
        let clientProtocol = http["useClientProtocol"] == .bool(true)
        if !clientProtocol, http["h2UpgradePolicy"]?.string == "UPGRADE" { upstream = .http2(maxConcurrentStreams: nil) }
        let idle = duration(http["idleTimeout"]) ?? duration(tcp["idleTimeout"])
        let perConnection = http["maxRequestsPerConnection"]?.int ?? 0
        let lifetime = duration(tcp["maxConnectionDuration"])
        let streams = http["maxConcurrentStreams"]?.int ?? 0
        var common: Envoy.HTTPProtocolOptions.Common?
        if idle != nil || perConnection > 0 || lifetime != nil || streams > 0 {
            common = .init(
                idleTimeout: idle, maxRequestsPerConnection: perConnection > 0 ? perConnection : nil, maxConnectionDuration: lifetime)
            if case .http2 = upstream, streams > 0 { upstream = .http2(maxConcurrentStreams: streams) }
        }
        if clientProtocol { upstream = .downstream }
        guard upstream != nil || common != nil else { return nil }
        return Envoy.HTTPProtocolOptions(upstream: upstream ?? .http1, common: common)
    }

    /// The route `hash_policy` for a consistent-hash load balancer (istiod's `consistentHashToHashPolicy`).
    func hashPolicy(host: String, subset: String?) -> [Envoy.HashPolicy]? {
        guard let hash = trafficPolicy(host: host, subset: subset)[path: ["loadBalancer", "consistentHash"]] else { return nil }
        if let header = hash["httpHeaderName"]?.string { return [.header(name: header)] }
        if let cookie = hash["httpCookie"], let name = cookie["name"]?.string {
            return [
                .cookie(
                    name: name, path: cookie["path"]?.string,
                    ttl: cookie["ttl"]?.string.map { Envoy.Duration(Durations.protobuf($0) ?? $0) })
            ]
        }
        if hash["useSourceIp"] == .bool(true) { return [.sourceIP] }
        if let q = hash["httpQueryParameterName"]?.string { return [.queryParameter(name: q)] }
        return nil
    }

    func lbPolicy(_ lb: Value?) -> Envoy.Cluster.LbPolicy {
        if let hash = lb?["consistentHash"] { return hash["maglev"] != nil ? .maglev : .ringHash }
        switch lb?["simple"]?.string {
        case "ROUND_ROBIN": return .roundRobin
        case "RANDOM": return .random
        case "PASSTHROUGH": return .clusterProvided
        default: return .leastRequest
        }
    }
}
