import Foundation
import Logging

/// One Envoy cluster as `isvc serve` runs it: the workload's ready replicas are its endpoints; the
/// cluster chooses among them with its load balancer, keeps them out while the outlier detector has
/// them ejected (unless too few are healthy: panic mode), and guards admissions with its circuit breakers.
public actor UpstreamCluster {
    public enum Failure: Error, Sendable, Equatable {
        /// Every endpoint is ejected and the cluster is not in panic mode (Envoy: 503 `no healthy upstream`).
        case noHealthyUpstream
    }

    public nonisolated let policy: ClusterPolicy
    public nonisolated let breaker: CircuitBreaker
    private var balancer: LoadBalancer
    private var detector: OutlierDetector?
    private let origin = ContinuousClock.now
    let logger: Logger
    let metrics: ServeMetrics?

    public init(policy: ClusterPolicy, metrics: ServeMetrics? = nil, logger: Logger) {
        self.policy = policy
        self.logger = logger
        self.metrics = metrics
        breaker = CircuitBreaker(thresholds: policy.thresholds)
        balancer = LoadBalancer(policy: policy.balancer, choiceCount: policy.choiceCount)
        detector = policy.outlier.map { OutlierDetector(config: $0, now: 0) }
    }

    var now: Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static let hostSelectionRetries = 5

    /// Chooses an endpoint among `candidates` (the replicas now, with their requests in flight), not
    /// one in `tried` when another is left, as far as Envoy's previous-hosts retry predicate avoids it.
    public func choose(_ candidates: [LoadBalancer.Candidate], hash: UInt64?, tried: Set<String> = []) throws -> String? {
        guard !candidates.isEmpty else { return nil }
        var usable = candidates
        if var d = detector {
            d.sync(hosts: candidates.map(\.name))
            log(d.advance(to: now))
            detector = d
            let healthy = candidates.filter { !d.isEjected($0.name) }
            let healthyPercent = 100.0 * Double(healthy.count) / Double(candidates.count)
            if healthyPercent >= policy.panicThreshold || policy.panicThreshold == 0 {
                guard !healthy.isEmpty else { throw Failure.noHealthyUpstream }
                usable = healthy
            }
            // Panic mode: fewer healthy endpoints than the threshold, so all of them take traffic.
        }
        guard usable.contains(where: { !tried.contains($0.name) }) else {
            return balancer.choose(usable, hash: hash).map { usable[$0].name }
        }
        switch balancer.policy {
        case .ringHash, .maglev:
            // One host per hash: leave the tried ones out (Envoy walks the ring on to the next host).
            usable = usable.filter { !tried.contains($0.name) }
            return balancer.choose(usable, hash: hash).map { usable[$0].name }
        case .roundRobin, .random, .leastRequest:
            // As Envoy: the balancer picks among all endpoints and a pick already tried is picked again,
            // up to host_selection_retry_max_attempts (5, as istiod emits) times; the last pick stands.
            // Round robin so moves on at every pick: with one of two replicas failing, each retried
            // request tries the failing one first (seen in the differential test against Envoy).
            var pick = balancer.choose(usable, hash: hash)
            for _ in 0..<Self.hostSelectionRetries {
                guard let i = pick, tried.contains(usable[i].name) else { break }
                pick = balancer.choose(usable, hash: hash)
            }
            return pick.map { usable[$0].name }
        }
    }

    /// One upstream answer of an endpoint, for the outlier detector.
    public func report(_ endpoint: String, status: Int) {
        guard var d = detector else { return }
        log(d.record(host: endpoint, status: status, now: now))
        detector = d
    }

    /// Whether the outlier detector has the endpoint ejected now (for tests and logs).
    public func isEjected(_ endpoint: String) -> Bool {
        guard var d = detector else { return false }
        log(d.advance(to: now))
        detector = d
        return d.isEjected(endpoint)
    }

    private func log(_ events: [OutlierDetector.Event]) {
        for e in events {
            switch e {
            case .ejected(let host, let kind, let seconds, let count):
                logger.warning("outlier detection: ejected \(host) from \(policy.name) (\(kind.rawValue)) for \(Self.format(seconds)) s, ejection \(count)")
                metrics?.ejection(cluster: policy.name, kind: kind.rawValue)
            case .overflow(let host, let kind):
                logger.info("outlier detection: \(host) of \(policy.name) has \(kind.rawValue) but max_ejection_percent keeps it in")
            case .notEnforced(let host, let kind):
                logger.info("outlier detection: \(host) of \(policy.name) has \(kind.rawValue), ejection not enforced")
            case .unejected(let host):
                logger.info("outlier detection: \(host) is back in \(policy.name)")
                metrics?.unejection(cluster: policy.name)
            }
        }
    }

    static func format(_ s: Double) -> String { String(format: "%g", s) }
}
