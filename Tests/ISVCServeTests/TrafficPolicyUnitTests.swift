import Foundation
import Testing

@testable import ISVCCore
@testable import ISVCServe

/// The pure parts of the gateway's traffic policies: outlier detection, load balancing, retry
/// decisions, faults, rewrites, request hygiene; no servers.
@Suite("Traffic policies, units")
struct TrafficPolicyUnitTests {
    static func detector(
        hosts: [String], maxPercent: Int = 100, base: Double = 30, interval: Double = 10,
        consecutive: Int = 3
    ) -> OutlierDetector {
        var d = OutlierDetector(
            config: .init(
                consecutive5xx: consecutive, interval: interval, baseEjectionTime: base,
                maxEjectionPercent: maxPercent), now: 0)
        d.sync(hosts: hosts)
        return d
    }

    @Test("consecutive 5xx eject on the Nth; a success in between resets the count")
    func consecutive5xx() {
        var d = Self.detector(hosts: ["a", "b"])
        _ = d.record(host: "a", status: 500, now: 1)
        _ = d.record(host: "a", status: 500, now: 1)
        _ = d.record(host: "a", status: 200, now: 1)
        _ = d.record(host: "a", status: 500, now: 1)
        #expect(d.record(host: "a", status: 503, now: 1).isEmpty)
        #expect(!d.isEjected("a"))
        #expect(d.record(host: "a", status: 500, now: 2) == [.ejected("a", .consecutive5xx, seconds: 30, count: 1)])
        #expect(d.isEjected("a"))
        #expect(!d.isEjected("b"))
    }

    @Test("unejection waits for the interval tick after base x ejections; the second ejection lasts twice as long")
    func ejectionTimes() {
        var d = Self.detector(hosts: ["a", "b"], base: 2, interval: 1)
        for _ in 0..<3 { _ = d.record(host: "a", status: 503, now: 0.5) }
        #expect(d.isEjected("a"))
        #expect(d.advance(to: 2.4).isEmpty)  // tick at 2.0: 1.5 s since the ejection
        #expect(d.advance(to: 3.0) == [.unejected("a")])  // tick at 3.0: 2.5 s >= 2 s
        // Failing again before a whole healthy interval: backoff 2, 4 s.
        _ = d.record(host: "a", status: 503, now: 3.2)
        _ = d.record(host: "a", status: 503, now: 3.2)
        #expect(d.record(host: "a", status: 503, now: 3.3) == [.ejected("a", .consecutive5xx, seconds: 4, count: 2)])
        #expect(d.advance(to: 7.0).isEmpty)  // 3.7 s
        #expect(d.advance(to: 8.0) == [.unejected("a")])
        // Healthy for whole intervals: the backoff drops one per tick, so a third ejection is short again.
        _ = d.advance(to: 20)
        for _ in 0..<3 { _ = d.record(host: "a", status: 500, now: 20.5) }
        #expect(d.ejections(of: "a") == 3)
        #expect(d.isEjected("a"))
        #expect(d.advance(to: 22.0).isEmpty)
        #expect(d.advance(to: 23.0) == [.unejected("a")])
    }

    @Test("max_ejection_percent: (ejected + 1) / hosts must stay within it, no 'at least one' rule")
    func maxEjectionPercent() {
        // 10 % of 2 hosts: 50 % > 10 %, never ejected (Envoy >= 1.27, without always_eject_one_host).
        var d = Self.detector(hosts: ["a", "b"], maxPercent: 10)
        var events: [OutlierDetector.Event] = []
        for _ in 0..<3 { events += d.record(host: "a", status: 500, now: 1) }
        #expect(events == [.overflow("a", .consecutive5xx)])
        #expect(!d.isEjected("a"))
        // 50 % of 4: two may be out, the third stays in.
        var e = Self.detector(hosts: ["a", "b", "c", "d"], maxPercent: 50)
        for h in ["a", "b", "c"] { for _ in 0..<3 { _ = e.record(host: h, status: 500, now: 1) } }
        #expect(e.isEjected("a") && e.isEjected("b") && !e.isEjected("c"))
        // 34 % of 3: 33.3 % fits once.
        var f = Self.detector(hosts: ["a", "b", "c"], maxPercent: 34)
        for h in ["a", "b"] { for _ in 0..<3 { _ = f.record(host: h, status: 500, now: 1) } }
        #expect(f.isEjected("a") && !f.isEjected("b"))
        // always_eject_one_host lets the first through.
        var g = OutlierDetector(config: .init(consecutive5xx: 1, maxEjectionPercent: 10, alwaysEjectOneHost: true), now: 0)
        g.sync(hosts: ["a", "b"])
        _ = g.record(host: "a", status: 500, now: 1)
        _ = g.record(host: "b", status: 500, now: 1)
        #expect(g.isEjected("a") && !g.isEjected("b"))
    }

    @Test("gateway failures count 502/503/504 only, and are not enforced unless the config says so")
    func gatewayFailures() {
        var d = OutlierDetector(config: .init(consecutive5xx: 100, consecutiveGatewayFailure: 2, maxEjectionPercent: 100), now: 0)
        d.sync(hosts: ["a", "b"])
        _ = d.record(host: "a", status: 502, now: 1)
        #expect(d.record(host: "a", status: 504, now: 1) == [.notEnforced("a", .consecutiveGatewayFailure)])
        let config = OutlierDetector.Config(
            Envoy.OutlierDetection(
                consecutiveGatewayFailure: 2, enforcingConsecutiveGatewayFailure: 100,
                interval: "1s", maxEjectionPercent: 100))
        #expect(config.interval == 1 && config.baseEjectionTime == 30 && config.maxEjectionTime == 300)
        var e = OutlierDetector(config: config, now: 0)
        e.sync(hosts: ["a", "b"])
        _ = e.record(host: "a", status: 503, now: 1)
        _ = e.record(host: "a", status: 500, now: 1)  // another 5xx resets the gateway count
        _ = e.record(host: "a", status: 503, now: 1)
        #expect(!e.isEjected("a"))
        _ = e.record(host: "a", status: 502, now: 1)
        #expect(e.isEjected("a"))
    }

    @Test("round robin alternates; least request prefers the idle; random covers all; ring hash sticks")
    func balancers() {
        var rr = LoadBalancer(policy: .roundRobin, randomStart: false)
        let two = [LoadBalancer.Candidate(name: "a", active: 0), .init(name: "b", active: 0)]
        let picks = (0..<6).map { _ in rr.choose(two, hash: nil)! }
        #expect(picks == [1, 0, 1, 0, 1, 0])
        var lr = LoadBalancer(policy: .leastRequest)
        let busy = [LoadBalancer.Candidate(name: "a", active: 5), .init(name: "b", active: 0)]
        var sequence = [0, 1, 1, 0, 0, 0].makeIterator()
        #expect(lr.choose(busy, hash: nil) { _ in sequence.next()! } == 1)
        #expect(lr.choose(busy, hash: nil) { _ in sequence.next()! } == 1)
        #expect(lr.choose(busy, hash: nil) { _ in sequence.next()! } == 0)  // both samples hit the busy one
        var idle = 0
        for _ in 0..<400 where lr.choose(busy, hash: nil) == 1 { idle += 1 }
        #expect(idle > 250 && idle < 350, "P2C picks the idle one 3 times in 4: \(idle)")
        var ring = LoadBalancer(policy: .ringHash)
        let hosts = (1...4).map { LoadBalancer.Candidate(name: "r-\($0)", active: 0) }
        var spread = Set<Int>()
        for key in 0..<64 {
            let h = HashRing.hash("user-\(key)")
            let first = ring.choose(hosts, hash: h)!
            #expect(ring.choose(hosts.shuffled().sorted { $0.name < $1.name }, hash: h) == first)
            spread.insert(first)
        }
        #expect(spread.count == 4)
        // Removing a host: its keys move, most others stay (the ring is rebuilt with more points per host, as Envoy's).
        let three = Array(hosts.prefix(3))
        var stayed = 0, kept = 0
        for key in 0..<256 {
            let h = HashRing.hash("user-\(key)")
            let before = hosts[ring.choose(hosts, hash: h)!].name
            guard before != "r-4" else { continue }
            kept += 1
            if three[ring.choose(three, hash: h)!].name == before { stayed += 1 }
        }
        #expect(Double(stayed) > 0.7 * Double(kept), "\(stayed) of \(kept)")
    }

    @Test("retry_on conditions as Envoy reads them")
    func retryConditions() {
        let istioDefault = RetryPolicy(
            numRetries: 2, conditions: ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"])
        #expect(istioDefault.covers(.connectFailure))
        #expect(!istioDefault.covers(.response(503, grpcStatus: nil)))
        #expect(istioDefault.covers(.response(200, grpcStatus: 14)))
        #expect(!istioDefault.covers(.perTryTimeout))
        #expect(!istioDefault.covers(.reset))
        let fiveXX = RetryPolicy(numRetries: 1, conditions: ["5xx"])
        #expect(
            fiveXX.covers(.response(500, grpcStatus: nil)) && fiveXX.covers(.reset) && fiveXX.covers(.perTryTimeout)
                && fiveXX.covers(.connectFailure))
        #expect(!fiveXX.covers(.response(409, grpcStatus: nil)) && !fiveXX.covers(.overflow))
        let gateway = RetryPolicy(numRetries: 1, conditions: ["gateway-error"])
        #expect(gateway.covers(.response(502, grpcStatus: nil)) && !gateway.covers(.response(500, grpcStatus: nil)))
        #expect(RetryPolicy(numRetries: 1, conditions: ["retriable-4xx"]).covers(.response(409, grpcStatus: nil)))
        #expect(!RetryPolicy(numRetries: 1, conditions: ["retriable-4xx"]).covers(.response(404, grpcStatus: nil)))
        let codes = RetryPolicy(numRetries: 1, conditions: ["retriable-status-codes"], retriableStatusCodes: [503])
        #expect(codes.covers(.response(503, grpcStatus: nil)) && !codes.covers(.response(500, grpcStatus: nil)))
        #expect(RetryPolicy(numRetries: 1, conditions: ["reset"]).covers(.perTryTimeout))
        #expect(!RetryPolicy(numRetries: 1, conditions: ["connect-failure"]).covers(.perTryTimeout))
        // Backoff: uniform below 25, 50, 100, 200, 250, 250 ms.
        let maxima = (1...6).map { n in fiveXX.backoff(retry: n) { $0 } }
        #expect(maxima.map { Int(($0 * 1000).rounded()) } == [25, 50, 100, 200, 250, 250])
    }

    @Test("istiod's retryOn: integers become retriable status codes; retryIgnorePreviousHosts and backoff")
    func retryEmission() {
        let p = RouteTranslation.retryPolicy(
            retryOn: "gateway-error,503,409", attempts: 3, perTryTimeout: "1s", previousHosts: false, backoff: "10ms")
        #expect(p.retryOn == ["gateway-error", "retriable-status-codes"])
        #expect(p.retriableStatusCodes == [503, 409])
        #expect(p.retryHostPredicates.isEmpty)
        // Envoy reads protobuf durations: "10ms" as written in the VirtualService is refused, "0.010s" loads.
        #expect(p.backOff?.base == Envoy.Duration("0.010s"))
        let policy = RetryPolicy(p)
        #expect(policy.numRetries == 3 && policy.perTryTimeout == 1 && !policy.previousHosts && policy.baseInterval == 0.01)
        #expect(policy.covers(.response(409, grpcStatus: nil)))
    }

    @Test("fault percentages: 0 never, 100 always, delay and abort drawn separately")
    func faults() {
        let f = FaultPolicy(delay: 0.1, delayFraction: 1, abortStatus: 418, abortFraction: 0)
        #expect(f.decide().delay == 0.1)
        #expect(f.decide().abort == nil)
        let g = FaultPolicy(delay: nil, delayFraction: 0, abortStatus: 503, abortFraction: 0.5)
        var rolls = [0.4, 0.6].makeIterator()
        #expect(g.decide { rolls.next()! }.abort == 503)
        #expect(g.decide { rolls.next()! }.abort == nil)
        let v = Envoy.HTTPFault(
            abort: .init(percentage: .init(numerator: 500_000, denominator: .million), httpStatus: 500, grpcStatus: nil))
        #expect(FaultPolicy(v)?.abortFraction == 0.5)
        #expect(FaultPolicy(Envoy.HTTPFault()) == nil)
    }

    @Test("rewrites: prefix (keeps the query), whole path for a path match, regex with groups")
    func rewrites() {
        let prefix = Envoy.RouteAction(destination: nil, prefixRewrite: "/v2/")
        #expect(
            GatewayRouter.rewrite("/v1/models/m:predict?x=1", action: prefix, match: .init(.prefix("/v1/"))) == "/v2/models/m:predict?x=1")
        #expect(
            GatewayRouter.rewrite("/exact", action: .init(destination: nil, prefixRewrite: "/other"), match: .init(.path("/exact")))
                == "/other")
        let regex = Envoy.RouteAction(
            destination: nil, regexRewrite: .init(pattern: "^/models/([^/]+)/predict$", substitution: "/v1/models/\\1:predict"))
        #expect(
            GatewayRouter.rewrite("/models/iris/predict?a=b", action: regex, match: .init(.safeRegex(".*")))
                == "/v1/models/iris:predict?a=b")
    }

    @Test("normalize_path: dot segments resolved (also %2e), never above the root; bad paths rejected")
    func normalize() {
        #expect(RequestHygiene.normalize("/a/b/../c") == "/a/c")
        #expect(RequestHygiene.normalize("/../../etc/passwd") == "/etc/passwd")
        #expect(RequestHygiene.normalize("/a/%2e%2E/b/./c/.") == "/b/c/")
        #expect(RequestHygiene.normalize("/a//b?x=/../y") == "/a//b?x=/../y")
        #expect(RequestHygiene.normalize("/v1/models/m:predict") == "/v1/models/m:predict")
        #expect(RequestHygiene.normalize("a/b") == nil)
        #expect(RequestHygiene.normalize("*") == nil)
        #expect(RequestHygiene.normalize("") == nil)
        #expect(RequestHygiene.normalize("/a#frag") == nil)
        #expect(RequestHygiene.normalize("/a\u{0}b") == nil)
        #expect(RequestHygiene.normalize("/.well-known/x?y") == "/.well-known/x?y")
        #expect(RequestHygiene.normalize("/a/b.c/..d") == "/a/b.c/..d")
    }

    @Test("circuit breaker: max_connections then pending then overflow; max_requests; max_retries", .timeLimit(.minutes(15)))
    func breaker() async throws {
        let b = CircuitBreaker(thresholds: .init(maxConnections: 1, maxPendingRequests: 1, maxRequests: 10, maxRetries: 1))
        try await b.acquire(timeout: .seconds(5))
        let waiter = Task { try await b.acquire(timeout: .seconds(5)) }
        while b.pending == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: CircuitBreaker.Refusal.overflow) { try await b.acquire(timeout: .seconds(5)) }
        b.release()
        try await waiter.value
        #expect(b.active == 1)
        await #expect(throws: CircuitBreaker.Refusal.timedOut) { try await b.acquire(timeout: .milliseconds(20)) }
        let r = CircuitBreaker(thresholds: .init(maxConnections: 10, maxPendingRequests: 10, maxRequests: 1, maxRetries: 1))
        try await r.acquire(timeout: nil)
        await #expect(throws: CircuitBreaker.Refusal.overflow) { try await r.acquire(timeout: nil) }
        #expect(r.startRetry())
        #expect(!r.startRetry())
        r.retryDone()
        #expect(r.startRetry())
    }

    @Test("cluster policy from the emitted cluster: Istio's defaults and a DestinationRule's")
    func clusterPolicy() throws {
        let cluster = Envoy.Cluster(
            name: "c", connectTimeout: "10s", lbPolicy: .roundRobin,
            commonLbConfig: .init(healthyPanicThreshold: 0), endpoints: [],
            circuitBreakers: .init(maxConnections: 4, maxPendingRequests: 2, maxRequests: 4_294_967_295, maxRetries: 3),
            outlierDetection: .init(consecutive5xx: 2, interval: "1s", baseEjectionTime: "2s", maxEjectionPercent: 100))
        let p = try ClusterPolicy(cluster: cluster)
        #expect(p.balancer == .roundRobin && p.thresholds.maxConnections == 4 && p.thresholds.maxPendingRequests == 2)
        #expect(p.outlier?.consecutive5xx == 2 && p.outlier?.baseEjectionTime == 2 && p.panicThreshold == 0)
        // What a cluster leaves unset is Envoy's default (ROUND_ROBIN, 1024 connections, panic at 50%).
        let bare = try ClusterPolicy(
            cluster: Envoy.Cluster(name: "d", connectTimeout: "10s", lbPolicy: nil, commonLbConfig: nil, endpoints: []))
        #expect(bare.balancer == .roundRobin && bare.thresholds == .envoyDefaults && bare.outlier == nil && bare.panicThreshold == 50)
        // A load balancer serve does not run is refused, named.
        #expect(
            throws: UnsupportedEnvoyConfig(
                path: "static_resources.clusters[3].lb_policy",
                reason: "CLUSTER_PROVIDED has no load balancer for static endpoints")
        ) {
            try ClusterPolicy(
                cluster: Envoy.Cluster(name: "e", connectTimeout: "10s", lbPolicy: .clusterProvided, endpoints: []),
                path: "static_resources.clusters[3]")
        }
    }
}
