extension Envoy {
    /// `config.cluster.v3.Cluster` as istiod builds the gateway's: static endpoints, the load
    /// balancer, circuit breakers, outlier detection and HTTP protocol options.
    public struct Cluster: Sendable, Equatable {
        public enum LbPolicy: String, Sendable {
            case leastRequest = "LEAST_REQUEST", roundRobin = "ROUND_ROBIN", random = "RANDOM"
            case ringHash = "RING_HASH", maglev = "MAGLEV", clusterProvided = "CLUSTER_PROVIDED"
        }

        public var name: String
        /// The discovery type (isvc's are `STATIC`).
        public var type: String
        public var connectTimeout: Duration
        /// Unset: Envoy's default, ROUND_ROBIN.
        public var lbPolicy: LbPolicy?
        /// `common_lb_config` (istiod always writes one, maybe empty).
        public var commonLbConfig: CommonLbConfig?
        public var endpoints: [[SocketAddress]]
        /// `least_request_lb_config.choice_count`.
        public var leastRequestChoiceCount: Int?
        public var maglevTableSize: Int?
        public var ringHashMinimumRingSize: Int?
        /// `circuit_breakers.thresholds` (the default priority's), when set.
        public var circuitBreakers: CircuitBreakers?
        /// `typed_extension_protocol_options`' HTTP protocol options (unset: HTTP/1.1, no limits).
        public var httpProtocolOptions: HTTPProtocolOptions?
        public var outlierDetection: OutlierDetection?

        public init(
            name: String, type: String = "STATIC", connectTimeout: Duration, lbPolicy: LbPolicy?,
            commonLbConfig: CommonLbConfig? = CommonLbConfig(), endpoints: [[SocketAddress]],
            leastRequestChoiceCount: Int? = nil, maglevTableSize: Int? = nil, ringHashMinimumRingSize: Int? = nil,
            circuitBreakers: CircuitBreakers? = nil, httpProtocolOptions: HTTPProtocolOptions? = nil,
            outlierDetection: OutlierDetection? = nil
        ) {
            self.name = name
            self.type = type
            self.connectTimeout = connectTimeout
            self.lbPolicy = lbPolicy
            self.commonLbConfig = commonLbConfig
            self.endpoints = endpoints
            self.leastRequestChoiceCount = leastRequestChoiceCount
            self.maglevTableSize = maglevTableSize
            self.ringHashMinimumRingSize = ringHashMinimumRingSize
            self.circuitBreakers = circuitBreakers
            self.httpProtocolOptions = httpProtocolOptions
            self.outlierDetection = outlierDetection
        }

        /// The first endpoint's address (where a JWKS is fetched through the cluster).
        public var firstEndpoint: SocketAddress? { endpoints.first?.first }

        var value: Value {
            var o: [String: Value] = [
                "name": .string(name), "type": .string(type), "connect_timeout": connectTimeout.value,
                "load_assignment": [
                    "cluster_name": .string(name),
                    "endpoints": .array(
                        endpoints.map { locality in
                            ["lb_endpoints": .array(locality.map { ["endpoint": ["address": $0.value]] })]
                        }),
                ],
            ]
            if let lbPolicy { o["lb_policy"] = .string(lbPolicy.rawValue) }
            if let commonLbConfig {
                o["common_lb_config"] = commonLbConfig.healthyPanicThreshold.map { ["healthy_panic_threshold": ["value": .int($0)]] } ?? [:]
            }
            if let n = leastRequestChoiceCount { o["least_request_lb_config"] = ["choice_count": .int(n)] }
            if let n = maglevTableSize { o["maglev_lb_config"] = ["table_size": .int(n)] }
            if let n = ringHashMinimumRingSize { o["ring_hash_lb_config"] = ["minimum_ring_size": .int(n)] }
            if let circuitBreakers { o["circuit_breakers"] = ["thresholds": [circuitBreakers.value]] }
            if let httpProtocolOptions {
                o["typed_extension_protocol_options"] = [HTTPProtocolOptions.key: httpProtocolOptions.value]
            }
            if let outlierDetection { o["outlier_detection"] = outlierDetection.value }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            name = try r.string("name")
            type = try r.string("type")
            connectTimeout = try r.duration("connect_timeout")
            lbPolicy = try r.enumeration(ifPresent: "lb_policy", LbPolicy.self)
            commonLbConfig = try r.object(ifPresent: "common_lb_config") { c in
                CommonLbConfig(healthyPanicThreshold: try c.object(ifPresent: "healthy_panic_threshold") { try $0.int("value") })
            }
            let assignment = try r.object("load_assignment") { a in
                (
                    try a.string("cluster_name"),
                    try a.objects("endpoints") { l in
                        try l.objects("lb_endpoints") { e in
                            try e.object("endpoint") { try $0.object("address", SocketAddress.init(address:)) }
                        }
                    }
                )
            }
            guard assignment.0 == name else {
                throw r.error("load_assignment.cluster_name", "\"\(assignment.0)\" is not the cluster's name")
            }
            endpoints = assignment.1
            leastRequestChoiceCount = try r.object(ifPresent: "least_request_lb_config") { try $0.int("choice_count") }
            maglevTableSize = try r.object(ifPresent: "maglev_lb_config") { try $0.int("table_size") }
            ringHashMinimumRingSize = try r.object(ifPresent: "ring_hash_lb_config") { try $0.int("minimum_ring_size") }
            circuitBreakers = try r.object(ifPresent: "circuit_breakers") { c in
                let list = try c.objects("thresholds", CircuitBreakers.init)
                guard list.count == 1 else { throw c.error("thresholds", "isvc represents one set of thresholds (the default priority)") }
                return list[0]
            }
            httpProtocolOptions = try r.object(ifPresent: "typed_extension_protocol_options") { t in
                try t.object(HTTPProtocolOptions.key, HTTPProtocolOptions.init)
            }
            outlierDetection = try r.object(ifPresent: "outlier_detection", OutlierDetection.init)
        }
    }

    /// `common_lb_config`: the panic threshold, in percent (unset: Envoy's 50).
    public struct CommonLbConfig: Sendable, Equatable {
        public var healthyPanicThreshold: Int?
        public init(healthyPanicThreshold: Int? = nil) { self.healthyPanicThreshold = healthyPanicThreshold }
    }

    /// The default priority's circuit-breaker thresholds; unset ones are Envoy's defaults.
    public struct CircuitBreakers: Sendable, Equatable {
        public var maxConnections: Int?
        public var maxPendingRequests: Int?
        public var maxRequests: Int?
        public var maxRetries: Int?
        public var trackRemaining: Bool?

        public init(maxConnections: Int?, maxPendingRequests: Int?, maxRequests: Int?, maxRetries: Int?, trackRemaining: Bool? = nil) {
            self.maxConnections = maxConnections
            self.maxPendingRequests = maxPendingRequests
            self.maxRequests = maxRequests
            self.maxRetries = maxRetries
            self.trackRemaining = trackRemaining
        }

        var value: Value {
            var o: [String: Value] = [:]
            if let maxConnections { o["max_connections"] = .int(maxConnections) }
            if let maxPendingRequests { o["max_pending_requests"] = .int(maxPendingRequests) }
            if let maxRequests { o["max_requests"] = .int(maxRequests) }
            if let maxRetries { o["max_retries"] = .int(maxRetries) }
            if let trackRemaining { o["track_remaining"] = .bool(trackRemaining) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            if let priority = try r.string(ifPresent: "priority"), priority != "DEFAULT" {
                throw r.error("priority", "\"\(priority)\": isvc represents the DEFAULT priority only")
            }
            maxConnections = try r.int(ifPresent: "max_connections")
            maxPendingRequests = try r.int(ifPresent: "max_pending_requests")
            maxRequests = try r.int(ifPresent: "max_requests")
            maxRetries = try r.int(ifPresent: "max_retries")
            trackRemaining = try r.bool(ifPresent: "track_remaining")
        }
    }

    /// `outlier_detection`: consecutive 5xx and gateway failures; unset fields are Envoy's defaults.
    public struct OutlierDetection: Sendable, Equatable {
        public var consecutive5xx: Int?
        public var enforcingConsecutive5xx: Int?
        public var consecutiveGatewayFailure: Int?
        public var enforcingConsecutiveGatewayFailure: Int?
        public var enforcingSuccessRate: Int?
        public var interval: Duration?
        public var baseEjectionTime: Duration?
        public var maxEjectionTime: Duration?
        public var maxEjectionPercent: Int?
        public var alwaysEjectOneHost: Bool?

        public init(
            consecutive5xx: Int? = nil, enforcingConsecutive5xx: Int? = nil, consecutiveGatewayFailure: Int? = nil,
            enforcingConsecutiveGatewayFailure: Int? = nil, enforcingSuccessRate: Int? = nil, interval: Duration? = nil,
            baseEjectionTime: Duration? = nil, maxEjectionTime: Duration? = nil, maxEjectionPercent: Int? = nil,
            alwaysEjectOneHost: Bool? = nil
        ) {
            self.consecutive5xx = consecutive5xx
            self.enforcingConsecutive5xx = enforcingConsecutive5xx
            self.consecutiveGatewayFailure = consecutiveGatewayFailure
            self.enforcingConsecutiveGatewayFailure = enforcingConsecutiveGatewayFailure
            self.enforcingSuccessRate = enforcingSuccessRate
            self.interval = interval
            self.baseEjectionTime = baseEjectionTime
            self.maxEjectionTime = maxEjectionTime
            self.maxEjectionPercent = maxEjectionPercent
            self.alwaysEjectOneHost = alwaysEjectOneHost
        }

        var value: Value {
            var o: [String: Value] = [:]
            if let n = consecutive5xx { o["consecutive_5xx"] = .int(n) }
            if let n = enforcingConsecutive5xx { o["enforcing_consecutive_5xx"] = .int(n) }
            if let n = consecutiveGatewayFailure { o["consecutive_gateway_failure"] = .int(n) }
            if let n = enforcingConsecutiveGatewayFailure { o["enforcing_consecutive_gateway_failure"] = .int(n) }
            if let n = enforcingSuccessRate { o["enforcing_success_rate"] = .int(n) }
            if let d = interval { o["interval"] = d.value }
            if let d = baseEjectionTime { o["base_ejection_time"] = d.value }
            if let d = maxEjectionTime { o["max_ejection_time"] = d.value }
            if let n = maxEjectionPercent { o["max_ejection_percent"] = .int(n) }
            if let b = alwaysEjectOneHost { o["always_eject_one_host"] = .bool(b) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            consecutive5xx = try r.int(ifPresent: "consecutive_5xx")
            enforcingConsecutive5xx = try r.int(ifPresent: "enforcing_consecutive_5xx")
            consecutiveGatewayFailure = try r.int(ifPresent: "consecutive_gateway_failure")
            enforcingConsecutiveGatewayFailure = try r.int(ifPresent: "enforcing_consecutive_gateway_failure")
            enforcingSuccessRate = try r.int(ifPresent: "enforcing_success_rate")
            interval = try r.duration(ifPresent: "interval")
            baseEjectionTime = try r.duration(ifPresent: "base_ejection_time")
            maxEjectionTime = try r.duration(ifPresent: "max_ejection_time")
            maxEjectionPercent = try r.int(ifPresent: "max_ejection_percent")
            alwaysEjectOneHost = try r.bool(ifPresent: "always_eject_one_host")
        }
    }
}
