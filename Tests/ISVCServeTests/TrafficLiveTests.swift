import Foundation
import ISVCCore
import Testing

@testable import ISVCServe

/// VirtualService and DestinationRule policies through `isvc serve`'s gateway, end to end: YAML ->
/// the emitted Envoy config -> what the gateway does, with echo-backend.py replicas (two per workload).
@Suite("Traffic policies, live", .serialized)
struct TrafficLiveTests {
    static func revision(_ name: String) -> String { "\(name)-predictor-00001.default.svc.cluster.local" }
    static func host(_ name: String) -> String { "\(name).traffic.example.com" }

    /// An InferenceService with `replicas` echo replicas, a VirtualService with `routes` (YAML list
    /// items at 4 spaces; `DEST` stands for the revision's host) and, if given, the DestinationRule's
    /// `trafficPolicy` (YAML at 4 spaces).
    static func yaml(_ name: String, replicas: Int = 2, routes: String, trafficPolicy: String? = nil, also: String = "") -> String {
        var text =
            ServeLiveTests.isvc(name, concurrency: 0, replicas: (replicas, replicas)) + "\n---\n"
            + virtualService("\(name)-front", host: host(name), http: routes.replacingOccurrences(of: "DEST", with: revision(name)))
        if let trafficPolicy {
            text +=
                "\n---\n" + """
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata:
                      name: \(name)-dr
                      namespace: default
                    spec:
                      host: \(revision(name))
                      trafficPolicy:

                    """ + trafficPolicy
        }
        return text + also
    }

    /// A VirtualService in namespace default on Knative's ingress gateway, for `host`; `http` is its
    /// routes (YAML list items at 4 spaces).
    static func virtualService(_ name: String, host: String, http: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: \(name)
          namespace: default
        spec:
          hosts:
            - \(host)
          gateways:
            - knative-serving/knative-ingress-gateway
          http:

        """ + http
    }

    /// A DestinationRule `trafficPolicy`: round robin over the replicas, and outlier detection
    /// checked every second.
    static func outlierPolicy(consecutive5xx: Int, baseEjectionTime: String, maxEjectionPercent: Int) -> String {
        """
            loadBalancer:
              simple: ROUND_ROBIN
            outlierDetection:
              consecutive5xxErrors: \(consecutive5xx)
              interval: 1s
              baseEjectionTime: \(baseEjectionTime)
              maxEjectionPercent: \(maxEjectionPercent)

        """
    }

    static func route(_ extra: String = "", match: String? = nil) -> String {
        var r = "    - name: \(match.map { "m" + $0.filter(\.isLetter) } ?? "main")\n"
        if let match { r += "      match:\n        - uri:\n            prefix: \(match)\n" }
        r += "      route:\n        - destination:\n            host: DEST\n"
        return r + extra
    }

    /// The workload's replica ports once it has `count` ready (bounded).
    static func replicas(_ gateway: GatewayServer, _ name: String, count: Int = 2) async throws -> [Int] {
        let runtime = try #require(gateway.runtimes[revision(name)])
        for _ in 0..<300 {
            let ports = await runtime.replicaPorts
            if ports.count >= count { return ports.sorted() }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(name) never had \(count) replicas")
        return await runtime.replicaPorts
    }

    static func direct(_ port: Int, _ path: String) async -> RawHTTP.Response {
        await RawHTTP.async(port: port, host: "127.0.0.1", path: path)
    }

    /// Requests a replica has seen so far (its own count request included).
    static func seen(_ port: Int) async -> Int { await direct(port, "/count").json["seen"] as? Int ?? -1 }

    @Test(
        "a route timeout on a hop through the local gateway ends the request on time (the inner request is cancelled)",
        .timeLimit(.minutes(15)))
    func timeoutThroughLocalGateway() async throws {
        let front = Self.virtualService(
            "slow-front", host: "slow.models.example.com",
            http: """
                    - timeout: 1s
                      rewrite:
                        authority: slow-predictor.default.svc.cluster.local
                      route:
                        - destination:
                            host: knative-local-gateway.istio-system.svc.cluster.local
                """)
        let yaml = ServeLiveTests.isvc("slow", concurrency: 0, replicas: (1, 1)) + "\n---\n" + front
        try await ServeLiveTests.withGateway(yaml) { port, _ in
            let started = ContinuousClock.now
            let (status, body) = await ServeLiveTests.get(port, host: "slow.models.example.com", path: "/sleep/8000/")
            let elapsed = ContinuousClock.now - started
            #expect(status == 504, "\(body)")
            #expect(body == "upstream request timeout")
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(6), "\(elapsed)")
            // The replica is free again for the next request (the abandoned one held nothing).
            let (next, _) = await ServeLiveTests.get(port, host: "slow.models.example.com", path: "/v1/models/slow")
            #expect(next == 200)
        }
    }

    @Test(
        "retries: a 503 is retried on the other replica; retries exhausted; per-try and route timeouts",
        .timeLimit(.minutes(15)))
    func retries() async throws {
        let routes =
            Self.route(
                """
                      rewrite:
                        uri: /
                      timeout: 1.5s
                      retries:
                        attempts: 2
                        perTryTimeout: 0.3s
                        retryOn: 5xx

                """, match: "/r/")
            + Self.route(
                """
                      rewrite:
                        uri: /
                      timeout: 0.5s
                      retries:
                        attempts: 0

                """, match: "/once/")
        let yaml = Self.yaml("retry", routes: routes, trafficPolicy: "    loadBalancer:\n      simple: ROUND_ROBIN\n")
        try await ServeLiveTests.withGateway(yaml) { port, gateway in
            let ports = try await Self.replicas(gateway, "retry")
            _ = await Self.direct(ports[0], "/fail/on")
            let host = Self.host("retry")
            for _ in 0..<8 {
                let r = await RawHTTP.async(port: port, host: host, path: "/r/hello")
                #expect(r.status == 200, "\(r.body)")
                #expect(r.port == ports[1])
            }
            _ = await Self.direct(ports[0], "/fail/off")
            // Exhausted: 1 + 2 attempts, each answered 503, the last answer goes back.
            let before = await Self.seen(ports[0]) + Self.seen(ports[1])
            let exhausted = await RawHTTP.async(port: port, host: host, path: "/r/status/503/")
            #expect(exhausted.status == 503)
            let after = await Self.seen(ports[0]) + Self.seen(ports[1])
            #expect(after - before - 2 == 3, "attempts: \(after - before - 2)")
            // Per-try timeout 0.3 s, twice retried: 504 after about 0.9 s, before the route's 1.5 s.
            let slow = await RawHTTP.async(port: port, host: host, path: "/r/sleep/1000/")
            #expect(slow.status == 504 && slow.body == "upstream request timeout", "\(slow)")
            #expect(slow.seconds > 0.85 && slow.seconds < 1.45, "\(slow.seconds)")
            // No retries and a 0.5 s route timeout.
            let once = await RawHTTP.async(port: port, host: host, path: "/once/sleep/2000/")
            #expect(once.status == 504 && once.seconds < 1.2, "\(once)")
        }
    }

    @Test(
        "Istio's default retry policy retries neither a GET nor a POST on 503; retryOn 5xx retries a POST",
        .timeLimit(.minutes(15)))
    func defaultPolicyAndPost() async throws {
        let routes =
            Self.route("      rewrite:\n        uri: /\n      retries:\n        attempts: 1\n        retryOn: 5xx\n", match: "/five/")
            + Self.route("      rewrite:\n        uri: /\n", match: "/")
        try await ServeLiveTests.withGateway(Self.yaml("post", replicas: 1, routes: routes)) { port, gateway in
            let ports = try await Self.replicas(gateway, "post", count: 1)
            let host = Self.host("post")
            for (path, method, attempts) in [("/status/503/", "GET", 1), ("/status/503/", "POST", 1), ("/five/status/503/", "POST", 2)] {
                let before = await Self.seen(ports[0])
                let r = await RawHTTP.async(port: port, host: host, path: path, method: method, body: "{}")
                #expect(r.status == 503)
                let after = await Self.seen(ports[0])
                #expect(after - before - 1 == attempts, "\(method) \(path)")
            }
        }
    }

    @Test(
        "fault injection: abort 100 %, abort 50 % within bounds, delay; response header operations",
        .timeLimit(.minutes(15)))
    func faults() async throws {
        let routes =
            Self.route(
                "      fault:\n        abort:\n          httpStatus: 418\n          percentage:\n            value: 100\n", match: "/abort/"
            )
            + Self.route(
                "      fault:\n        abort:\n          httpStatus: 503\n          percentage:\n            value: 50\n", match: "/half/")
            + Self.route(
                "      fault:\n        delay:\n          fixedDelay: 0.4s\n          percentage:\n            value: 100\n",
                match: "/delay/")
            + Self.route(
                """
                      headers:
                        request:
                          set:
                            x-set-by: front
                        response:
                          add:
                            x-answered-by: gateway
                          remove:
                            - content-type

                """)
        try await ServeLiveTests.withGateway(Self.yaml("fault", replicas: 1, routes: routes)) { port, gateway in
            _ = try await Self.replicas(gateway, "fault", count: 1)
            let host = Self.host("fault")
            let abort = await RawHTTP.async(port: port, host: host, path: "/abort/x")
            #expect(abort.status == 418 && abort.body == "fault filter abort")
            var aborted = 0
            for _ in 0..<200 where await RawHTTP.async(port: port, host: host, path: "/half/x").status == 503 { aborted += 1 }
            // Binomial(200, 0.5): mean 100, sd 7.1; 65...135 is beyond 4.9 sd.
            #expect(aborted > 65 && aborted < 135, "\(aborted) of 200 aborted")
            let delayed = await RawHTTP.async(port: port, host: host, path: "/delay/x")
            #expect(delayed.status == 200 && delayed.seconds >= 0.4)
            let plain = await RawHTTP.async(port: port, host: host, path: "/x")
            #expect(plain.headers["x-answered-by"] == "gateway" && plain.headers["content-type"] == nil)
            #expect((plain.json["headers"] as? [String: String])?["x-set-by"] == "front")
        }
    }

    @Test("mirror: the mirror cluster gets a copy with Host -shadow; its failure changes nothing", .timeLimit(.minutes(15)))
    func mirror() async throws {
        let routes = Self.route("      mirror:\n        host: \(Self.revision("shadowed"))\n      mirrorPercentage:\n        value: 100\n")
        let yaml =
            Self.yaml("mirrored", replicas: 1, routes: routes) + "\n---\n"
            + ServeLiveTests.isvc("shadowed", concurrency: 0, replicas: (1, 1))
        try await ServeLiveTests.withGateway(yaml) { port, gateway in
            _ = try await Self.replicas(gateway, "mirrored", count: 1)
            let shadow = try await Self.replicas(gateway, "shadowed", count: 1)
            _ = await Self.direct(shadow[0], "/fail/on")
            let r = await RawHTTP.async(port: port, host: Self.host("mirrored"), path: "/copied?x=1")
            #expect(r.status == 200 && (r.json["backend"] as? String) == "mirrored")
            var last: [String: Any] = [:]
            for _ in 0..<50 {
                last = await Self.direct(shadow[0], "/last").json["last"] as? [String: Any] ?? [:]
                if last["path"] as? String == "/copied?x=1" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(last["path"] as? String == "/copied?x=1")
            #expect((last["host"] as? String)?.hasSuffix("-shadow") == true, "\(last)")
        }
    }

    @Test(
        "load balancing: round robin alternates, least request prefers the idle replica, consistent hash sticks",
        .timeLimit(.minutes(15)))
    func balancing() async throws {
        try await ServeLiveTests.withGateway(
            Self.yaml("rr", routes: Self.route(), trafficPolicy: "    loadBalancer:\n      simple: ROUND_ROBIN\n")
        ) { port, gateway in
            _ = try await Self.replicas(gateway, "rr")
            var answered: [Int] = []
            for _ in 0..<10 { answered.append(await RawHTTP.async(port: port, host: Self.host("rr"), path: "/").port) }
            #expect(zip(answered, answered.dropFirst()).allSatisfy { $0 != $1 }, "\(answered)")
        }
        try await ServeLiveTests.withGateway(Self.yaml("lr", routes: Self.route())) { port, gateway in
            let ports = try await Self.replicas(gateway, "lr")
            let host = Self.host("lr")
            let busy = Task { await RawHTTP.async(port: port, host: host, path: "/sleep/4000/") }
            try await Task.sleep(for: .milliseconds(300))
            var counts: [Int: Int] = [:]
            for _ in 0..<20 { counts[await RawHTTP.async(port: port, host: host, path: "/").port, default: 0] += 1 }
            let slow = await busy.value.port
            let idle = ports.first { $0 != slow } ?? 0
            // Two random choices, fewer active requests wins: the idle one 3 times in 4 (mean 15, sd 1.9).
            #expect((counts[idle] ?? 0) >= 10, "\(counts), slow \(slow)")
        }
        let hashed = "    loadBalancer:\n      consistentHash:\n        httpHeaderName: x-user\n"
        try await ServeLiveTests.withGateway(Self.yaml("ch", routes: Self.route(), trafficPolicy: hashed)) { port, gateway in
            _ = try await Self.replicas(gateway, "ch")
            var used = Set<Int>()
            for user in 0..<12 {
                var seen = Set<Int>()
                for _ in 0..<3 {
                    seen.insert(await RawHTTP.async(port: port, host: Self.host("ch"), path: "/", headers: [("x-user", "u\(user)")]).port)
                }
                #expect(seen.count == 1, "user \(user): \(seen)")
                used.formUnion(seen)
            }
            #expect(used.count == 2)
        }
    }

    @Test(
        "circuit breaker: past one connection and one pending request, 503 at once with x-envoy-overloaded",
        .timeLimit(.minutes(15)))
    func circuitBreaker() async throws {
        let policy = "    connectionPool:\n      tcp:\n        maxConnections: 1\n      http:\n        http1MaxPendingRequests: 1\n"
        try await ServeLiveTests.withGateway(Self.yaml("cb", replicas: 1, routes: Self.route(), trafficPolicy: policy)) { port, gateway in
            _ = try await Self.replicas(gateway, "cb", count: 1)
            let answers = await withTaskGroup(of: RawHTTP.Response.self) { group in
                for _ in 0..<4 { group.addTask { await RawHTTP.async(port: port, host: Self.host("cb"), path: "/sleep/800/") } }
                var all: [RawHTTP.Response] = []
                for await r in group { all.append(r) }
                return all
            }
            let overflowed = answers.filter { $0.status == 503 }
            #expect(overflowed.count == 2, "\(answers.map(\.status))")
            #expect(overflowed.allSatisfy { $0.headers["x-envoy-overloaded"] == "true" && $0.seconds < 0.5 })
            #expect(answers.filter { $0.status == 200 }.count == 2)
        }
    }

    /// Sends requests every 40 ms for `seconds`; each answer's time, port and status.
    static func drive(_ port: Int, host: String, seconds: Double) async throws -> [(t: Double, port: Int, status: Int)] {
        let start = Date()
        var out: [(Double, Int, Int)] = []
        while Date().timeIntervalSince(start) < seconds {
            let r = await RawHTTP.async(port: port, host: host, path: "/")
            out.append((Date().timeIntervalSince(start), r.port, r.status))
            try await Task.sleep(for: .milliseconds(40))
        }
        return out
    }

    @Test(
        "outlier detection: 3 consecutive 5xx eject a replica for base_ejection_time, twice as long the second time",
        .timeLimit(.minutes(15)))
    func outlierDetection() async throws {
        let policy = Self.outlierPolicy(consecutive5xx: 3, baseEjectionTime: "2s", maxEjectionPercent: 100)
        try await ServeLiveTests.withGateway(Self.yaml("od", routes: Self.route(), trafficPolicy: policy)) { port, gateway in
            let ports = try await Self.replicas(gateway, "od")
            _ = await Self.direct(ports[0], "/fail/on")
            let log = try await Self.drive(port, host: Self.host("od"), seconds: 9.5)
            let failing = log.filter { $0.status == 503 }
            #expect(failing.allSatisfy { $0.port == ports[0] })
            #expect(log.filter { $0.status == 200 }.allSatisfy { $0.port == ports[1] })
            // Bursts of 3 failures separated by ejections: gaps of 2-3 s, then 4-5 s.
            var gaps: [Double] = []
            for (a, b) in zip(failing, failing.dropFirst()) where b.t - a.t > 1 { gaps.append(b.t - a.t) }
            #expect(gaps.count >= 2, "\(failing.map(\.t))")
            if gaps.count >= 2 {
                #expect(gaps[0] > 1.9 && gaps[0] < 3.6, "\(gaps)")
                #expect(gaps[1] > 3.9 && gaps[1] < 5.6, "\(gaps)")
            }
            #expect(failing.count >= 6 && failing.count <= 9, "\(failing.count) failures")
            #expect(gateway.metrics.exposition().contains("isvc_outlier_ejections_total{cluster=\"outbound|80||\(Self.revision("od"))\""))
        }
    }

    @Test("outlier detection: max_ejection_percent 10 of 2 replicas never ejects (Envoy 1.27+)", .timeLimit(.minutes(15)))
    func maxEjectionPercent() async throws {
        let policy = Self.outlierPolicy(consecutive5xx: 2, baseEjectionTime: "30s", maxEjectionPercent: 10)
        try await ServeLiveTests.withGateway(Self.yaml("mep", routes: Self.route(), trafficPolicy: policy)) { port, gateway in
            let ports = try await Self.replicas(gateway, "mep")
            _ = await Self.direct(ports[0], "/fail/on")
            let log = try await Self.drive(port, host: Self.host("mep"), seconds: 2)
            let failures = log.filter { $0.status == 503 }.count
            #expect(failures >= log.count / 2 - 1, "\(failures) of \(log.count)")
        }
    }

    @Test(
        "request hygiene: 413, 431 for too many or too large headers, 400 for a second Host or a bad path, 408 for a slow body",
        .timeLimit(.minutes(15)))
    func hygiene() async throws {
        var limits = GatewayLimits()
        limits.requestTimeout = .milliseconds(500)
        limits.untimedBodyBytes = 0
        try await ServeLiveTests.withRunningGateway(Self.yaml("hy", replicas: 1, routes: Self.route()), limits: limits) {
            port, gateway, _ in
            _ = try await Self.replicas(gateway, "hy", count: 1)
            let host = Self.host("hy")
            let big = await RawHTTP.asyncRaw(
                port: port, Array("POST / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nContent-Length: 100000000\r\n\r\n{}".utf8))
            #expect(big.status == 413)
            let many = await RawHTTP.async(port: port, host: host, path: "/", headers: (0..<100).map { ("x-h\($0)", "v") })
            #expect(many.status == 431)
            let fewer = await RawHTTP.async(port: port, host: host, path: "/", headers: (0..<90).map { ("x-h\($0)", "v") })
            #expect(fewer.status == 200)
            let large = await RawHTTP.async(
                port: port, host: host, path: "/", headers: [("x-big", String(repeating: "a", count: 62 << 10))])
            #expect(large.status == 431)
            let twoHosts = await RawHTTP.async(port: port, host: host, path: "/", headers: [("Host", "other.example.com")])
            #expect(twoHosts.status == 400)
            let dots = await RawHTTP.async(port: port, host: host, path: "/a/../status/%2e%2e/b/../../status/418/")
            #expect(dots.status == 418 && (dots.json["path"] as? String) == "/status/418/", "\(dots.body)")
            let withPort = await RawHTTP.async(port: port, host: host + ":8080", path: "/")
            #expect(withPort.status == 200)
            let crlf = await RawHTTP.asyncRaw(
                port: port, Array("GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nx-bad\rname: v\r\n\r\n".utf8))
            #expect(crlf.status != 200)
            let slow = await RawHTTP.asyncRaw(
                port: port, Array("POST / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nContent-Length: 10\r\n\r\n".utf8))
            #expect(slow.status == 408 && slow.seconds < 3, "\(slow)")
        }
    }
}
