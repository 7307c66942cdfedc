import Foundation
import ISVCCore

/// One Envoy cluster's upstream behaviour, read from the cluster `isvc compile --emit envoy` prints:
/// its load balancer, circuit-breaker thresholds, outlier detection and panic threshold. Each ready
/// replica of the workload behind the cluster is one endpoint.
public struct ClusterPolicy: Sendable, Equatable {
    public enum Balancer: String, Sendable {
        case leastRequest = "LEAST_REQUEST", roundRobin = "ROUND_ROBIN", random = "RANDOM"
        case ringHash = "RING_HASH", maglev = "MAGLEV"
    }

    /// `circuit_breakers.thresholds[0]` (default priority).
    public struct Thresholds: Sendable, Equatable {
        public var maxConnections: Int
        public var maxPendingRequests: Int
        public var maxRequests: Int
        public var maxRetries: Int

        /// Envoy's own defaults, when a cluster has no `circuit_breakers`.
        public static let envoyDefaults = Thresholds(maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3)
    }

    public var name: String
    public var balancer: Balancer
    /// LEAST_REQUEST's `choice_count` (power of two choices by default).
    public var choiceCount: Int
    public var thresholds: Thresholds
    public var outlier: OutlierDetector.Config?
    /// `common_lb_config.healthy_panic_threshold` in percent (Envoy's default 50; 0 turns panic mode off).
    public var panicThreshold: Double
    /// Whether requests reach the endpoints over HTTP/2 (h2c), as for an h2c revision or a gRPC port.
    public var http2Upstream = false

    public init(
        name: String, balancer: Balancer = .leastRequest, choiceCount: Int = 2, thresholds: Thresholds = .envoyDefaults,
        outlier: OutlierDetector.Config? = nil, panicThreshold: Double = 50
    ) {
        self.name = name
        self.balancer = balancer
        self.choiceCount = choiceCount
        self.thresholds = thresholds
        self.outlier = outlier
        self.panicThreshold = panicThreshold
    }

    /// The policy of a typed cluster; what it leaves unset is Envoy's default. Throws for a load
    /// balancer serve does not run (`path` names the cluster in the config).
    public init(cluster: Envoy.Cluster, path: String = "cluster") throws(UnsupportedEnvoyConfig) {
        name = cluster.name
        switch cluster.lbPolicy {
        case .leastRequest?: balancer = .leastRequest
        // Envoy's default.
        case .roundRobin?, nil: balancer = .roundRobin
        case .random?: balancer = .random
        case .ringHash?: balancer = .ringHash
        case .maglev?: balancer = .maglev
        case .clusterProvided?:
            throw UnsupportedEnvoyConfig(path: "\(path).lb_policy", reason: "CLUSTER_PROVIDED has no load balancer for static endpoints")
        }
        choiceCount = max(2, cluster.leastRequestChoiceCount ?? 2)
        let t = cluster.circuitBreakers
        let d = Thresholds.envoyDefaults
        thresholds = Thresholds(
            maxConnections: max(0, t?.maxConnections ?? d.maxConnections),
            maxPendingRequests: max(0, t?.maxPendingRequests ?? d.maxPendingRequests),
            maxRequests: max(0, t?.maxRequests ?? d.maxRequests),
            maxRetries: max(0, t?.maxRetries ?? d.maxRetries))
        outlier = cluster.outlierDetection.map(OutlierDetector.Config.init)
        panicThreshold = cluster.commonLbConfig?.healthyPanicThreshold.map { Double(min(100, max(0, $0))) } ?? 50
        http2Upstream = cluster.httpProtocolOptions?.isHTTP2 ?? false
    }
}
