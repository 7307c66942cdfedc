import Foundation
import Logging
import NIOConcurrencyHelpers

/// One Envoy cluster as `isvc serve` runs it: the workload's ready replicas are its endpoints; the
/// cluster chooses among them with its load balancer, keeps them out while the outlier detector has
/// them ejected (unless too few are healthy: panic mode), and guards admissions with its circuit breakers.
/// Its state is behind a lock, not an actor, so that choosing does not suspend a request.
public final class UpstreamCluster: Sendable {
    public enum Failure: Error, Sendable, Equatable {
        /// Every endpoint is ejected and the cluster is not in panic mode (Envoy: 503 `no healthy upstream`).
        case noHealthyUpstream
    }

    public let policy: ClusterPolicy
    public let breaker: CircuitBreaker
    private struct State: Sendable {
        var balancer: LoadBalancer
        var detector: OutlierDetector?
    }
    private let state: NIOLockedValueBox<State>
    private let origin = ContinuousClock.now
    let logger: Logger
    let metrics: ServeMetrics?

    public init(policy: ClusterPolicy, metrics: ServeMetrics? = nil, logger: Logger) {
        self.policy = policy
        self.logger = logger
        self.metrics = metrics
        breaker = CircuitBreaker(thresholds: policy.thresholds)
        state = NIOLockedValueBox(
            State(
                balancer: LoadBalancer(policy: policy.balancer, choiceCount: policy.choiceCount),
                detector: policy.outlier.map { OutlierDetector(config: $0, now: 0) }))
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
        let now = now
        let (events, choice) = state.withLockedValue { s -> ([OutlierDetector.Event], Result<String?, Failure>) in
            var events: [OutlierDetector.Event] = []
            var usable = candidates
            if var d = s.detector {
                d.sync(hosts: candidates.map(\.name))
                events = d.advance(to: now)
                s.detector = d
                let healthy = candidates.filter { !d.isEjected($0.name) }
                let healthyPercent = 100.0 * Double(healthy.count) / Double(candidates.count)
                if healthyPercent >= policy.panicThreshold || policy.panicThreshold == 0 {
                    guard !healthy.isEmpty else { return (events, .failure(.noHealthyUpstream)) }
                    usable = healthy
                }
                // Panic mode: fewer healthy endpoints than the threshold, so all of them take traffic.
            }
            return (events, .success(Self.pick(from: usable, hash: hash, tried: tried, balancer: &s.balancer)))
        }
        log(events)
        return try choice.get()
    }

    static func pick(
        from candidates: [LoadBalancer.Candidate], hash: UInt64?, tried: Set<String>,
        balancer: inout LoadBalancer
    ) -> String? {
        var usable = candidates
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
            for _ in 0..<hostSelectionRetries {
                guard let i = pick, tried.contains(usable[i].name) else { break }
                pick = balancer.choose(usable, hash: hash)
            }
            return pick.map { usable[$0].name }
        }
    }

    /// One upstream answer of an endpoint, for the outlier detector.
    public func report(_ endpoint: String, status: Int) {
        let now = now
        let events = state.withLockedValue { s -> [OutlierDetector.Event] in
            guard var d = s.detector else { return [] }
            let events = d.record(host: endpoint, status: status, now: now)
            s.detector = d
            return events
        }
        log(events)
    }

    /// Whether the outlier detector has the endpoint ejected now (for tests and logs).
    public func isEjected(_ endpoint: String) -> Bool {
        let now = now
        let (events, ejected) = state.withLockedValue { s -> ([OutlierDetector.Event], Bool) in
            guard var d = s.detector else { return ([], false) }
            let events = d.advance(to: now)
            s.detector = d
            return (events, d.isEjected(endpoint))
        }
        log(events)
        return ejected
    }

    private func log(_ events: [OutlierDetector.Event]) {
        for e in events {
            switch e {
            case .ejected(let host, let kind, let seconds, let count):
                logger.warning(
                    "outlier detection: ejected \(host) from \(policy.name) (\(kind.rawValue)) for \(Self.format(seconds)) s, ejection \(count)"
                )
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
