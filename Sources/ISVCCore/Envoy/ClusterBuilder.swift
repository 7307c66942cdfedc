/// Envoy clusters as istiod builds them for the gateway (`cluster_builder.go`,
/// `cluster_traffic_policy.go`): Istio's defaults, overridden by the DestinationRule for the host
/// (a subset's blocks replace the top-level ones whole).
struct ClusterBuilder {
    let destinationRules: [Value]

    static let maxUInt32 = 4_294_967_295

    func trafficPolicy(host: String, subset: String?) -> Value {
        guard let dr = destinationRules.first(where: { dr in
            let ns = dr[path: ["metadata", "namespace"]]?.string ?? "default"
            return RouteTranslation(namespace: ns).fqdn(dr[path: ["spec", "host"]]?.string ?? "") == host
        }) else { return [:] }
        var policy = dr[path: ["spec", "trafficPolicy"]]?.object ?? [:]
        if let subset, let s = dr[path: ["spec", "subsets"]]?.array?.first(where: { $0["name"]?.string == subset }) {
            for (k, v) in s["trafficPolicy"]?.object ?? [:] { policy[k] = v }
        }
        return .object(policy)
    }

    func cluster(name: String, host: String, port: Int, subset: String?, endpoint: (String, Int)) -> Value {
        let policy = trafficPolicy(host: host, subset: subset)
        var cluster: Value = [
            "name": .string(name),
            "type": "STATIC",
            "connect_timeout": .string(policy[path: ["connectionPool", "tcp", "connectTimeout"]]?.string.map { Durations.protobuf($0) ?? $0 } ?? "10s"),
            "lb_policy": .string(lbPolicy(policy["loadBalancer"])),
            "common_lb_config": [:],
            "load_assignment": [
                "cluster_name": .string(name),
                "endpoints": [["lb_endpoints": [["endpoint": ["address": ["socket_address": [
                    "address": .string(endpoint.0), "port_value": .int(endpoint.1)]]]]]]],
            ],
        ]
        if let hash = policy[path: ["loadBalancer", "consistentHash"]] {
            // istiod: MAGLEV with its table size when set; otherwise a ring of at least 1024 entries
            // (the deprecated minimumRingSize, or ringHash.minimumRingSize, when set).
            if let maglev = hash["maglev"] {
                if let size = maglev["tableSize"]?.int, size > 0 { cluster["maglev_lb_config"] = ["table_size": .int(size)] }
            } else {
                let size = hash[path: ["ringHash", "minimumRingSize"]]?.int ?? hash["minimumRingSize"]?.int ?? 0
                cluster["ring_hash_lb_config"] = ["minimum_ring_size": .int(size > 0 ? size : 1024)]
            }
        }
        let pool = policy["connectionPool"] ?? [:]
        func limit(_ v: Value?) -> Value { v.flatMap(\.int).map { .int($0) } ?? .int(Self.maxUInt32) }
        cluster["circuit_breakers"] = ["thresholds": [[
            "max_connections": limit(pool[path: ["tcp", "maxConnections"]]),
            "max_pending_requests": limit(pool[path: ["http", "http1MaxPendingRequests"]]),
            "max_requests": limit(pool[path: ["http", "http2MaxRequests"]]),
            "max_retries": limit(pool[path: ["http", "maxRetries"]]),
            "track_remaining": true,
        ]]]
        if let perConnection = pool[path: ["http", "maxRequestsPerConnection"]]?.int, perConnection > 0 {
            cluster["typed_extension_protocol_options"] = ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions": [
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "common_http_protocol_options": ["max_requests_per_connection": .int(perConnection)],
                "explicit_http_config": ["http_protocol_options": [:]],
            ]]
        }
        if let outlier = policy["outlierDetection"] {
            var o: Value = ["enforcing_success_rate": 0]
            if let n = outlier["consecutive5xxErrors"]?.int {
                o["consecutive_5xx"] = .int(n)
                o["enforcing_consecutive_5xx"] = .int(n == 0 ? 0 : 100)
            }
            if let n = outlier["consecutiveGatewayErrors"]?.int {
                o["consecutive_gateway_failure"] = .int(n)
                o["enforcing_consecutive_gateway_failure"] = .int(n == 0 ? 0 : 100)
            }
            if let v = outlier["interval"]?.string { o["interval"] = .string(Durations.protobuf(v) ?? v) }
            if let v = outlier["baseEjectionTime"]?.string { o["base_ejection_time"] = .string(Durations.protobuf(v) ?? v) }
            if let v = outlier["maxEjectionPercent"]?.int, v > 0 { o["max_ejection_percent"] = .int(v) }
            cluster["outlier_detection"] = o
            cluster["common_lb_config"] = ["healthy_panic_threshold": ["value": .int(outlier["minHealthPercent"]?.int ?? 0)]]
        }
        return cluster
    }

    /// The route `hash_policy` for a consistent-hash load balancer (istiod's `consistentHashToHashPolicy`).
    func hashPolicy(host: String, subset: String?) -> Value? {
        guard let hash = trafficPolicy(host: host, subset: subset)[path: ["loadBalancer", "consistentHash"]] else { return nil }
        if let header = hash["httpHeaderName"]?.string { return [["header": ["header_name": .string(header)]]] }
        if let cookie = hash["httpCookie"], let name = cookie["name"]?.string {
            var c: Value = ["name": .string(name)]
            if let path = cookie["path"]?.string { c["path"] = .string(path) }
            if let ttl = cookie["ttl"]?.string { c["ttl"] = .string(Durations.protobuf(ttl) ?? ttl) }
            return [["cookie": c]]
        }
        if hash["useSourceIp"] == .bool(true) { return [["connection_properties": ["source_ip": true]]] }
        if let q = hash["httpQueryParameterName"]?.string { return [["query_parameter": ["name": .string(q)]]] }
        return nil
    }

    func lbPolicy(_ lb: Value?) -> String {
        if let hash = lb?["consistentHash"] { return hash["maglev"] != nil ? "MAGLEV" : "RING_HASH" }
        switch lb?["simple"]?.string {
        case "ROUND_ROBIN": return "ROUND_ROBIN"
        case "RANDOM": return "RANDOM"
        case "PASSTHROUGH": return "CLUSTER_PROVIDED"
        default: return "LEAST_REQUEST"
        }
    }
}
