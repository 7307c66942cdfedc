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

    public init(name: String, balancer: Balancer = .leastRequest, choiceCount: Int = 2, thresholds: Thresholds = .envoyDefaults,
                outlier: OutlierDetector.Config? = nil, panicThreshold: Double = 50) {
        self.name = name
        self.balancer = balancer
        self.choiceCount = choiceCount
        self.thresholds = thresholds
        self.outlier = outlier
        self.panicThreshold = panicThreshold
    }

    public init(cluster: Value) {
        name = cluster["name"]?.string ?? ""
        balancer = Balancer(rawValue: cluster["lb_policy"]?.string ?? "") ?? .leastRequest
        choiceCount = max(2, cluster[path: ["least_request_lb_config", "choice_count"]]?.int ?? 2)
        let t = cluster[path: ["circuit_breakers", "thresholds"]]?.array?.first {
            ($0["priority"]?.string ?? "DEFAULT") == "DEFAULT"
        }
        let d = Thresholds.envoyDefaults
        thresholds = Thresholds(maxConnections: Self.count(t?["max_connections"], d.maxConnections),
                                maxPendingRequests: Self.count(t?["max_pending_requests"], d.maxPendingRequests),
                                maxRequests: Self.count(t?["max_requests"], d.maxRequests),
                                maxRetries: Self.count(t?["max_retries"], d.maxRetries))
        outlier = cluster["outlier_detection"].map(OutlierDetector.Config.init)
        panicThreshold = EnvoyValues.percent(cluster[path: ["common_lb_config", "healthy_panic_threshold"]]) ?? 50
    }

    static func count(_ v: Value?, _ fallback: Int) -> Int {
        guard let n = v?.int else { return fallback }
        return max(0, n)
    }
}

/// Envoy's JSON scalar forms: durations (`"1.5s"`), percents (`{value: 50}`) and fractional percents.
enum EnvoyValues {
    /// Seconds of a duration string (`"10s"`, `"0.25s"`; also `ms`, `m`, `h`, as Istio inputs may pass through).
    static func seconds(_ v: Value?) -> Double? {
        guard let s = v?.string?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        for (suffix, scale) in [("ms", 0.001), ("us", 0.000_001), ("ns", 0.000_000_001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)]
        where s.hasSuffix(suffix) {
            guard let n = Double(s.dropLast(suffix.count)), n.isFinite, n >= 0 else { return nil }
            return n * scale
        }
        return nil
    }

    static func number(_ v: Value?) -> Double? {
        switch v {
        case .double(let d)?: return d.isFinite ? d : nil
        case .int(let i)?: return Double(i)
        case .string(let s)?: return Double(s)
        default: return nil
        }
    }

    /// `{value: P}` (envoy.type.v3.Percent).
    static func percent(_ v: Value?) -> Double? {
        number(v?["value"]).map { min(100, max(0, $0)) }
    }

    /// A FractionalPercent (`{numerator, denominator: HUNDRED|TEN_THOUSAND|MILLION}`) as a probability in 0...1.
    static func fraction(_ v: Value?) -> Double {
        guard let v, let numerator = number(v["numerator"]) else { return 0 }
        let denominator: Double
        switch v["denominator"]?.string ?? "HUNDRED" {
        case "MILLION": denominator = 1_000_000
        case "TEN_THOUSAND": denominator = 10_000
        default: denominator = 100
        }
        return min(1, max(0, numerator / denominator))
    }
}
