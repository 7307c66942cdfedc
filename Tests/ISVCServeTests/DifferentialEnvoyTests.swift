import Foundation
import ISVCCore
import LoopbackSupport
import Testing

@testable import ISVCServe

/// The same input, the same requests, the same echo-backend.py replicas: through `isvc serve`'s gateway
/// and through a real Envoy loaded with `isvc compile --emit envoy`'s output (Differential.withBoth).
/// Outcomes are compared: status codes, which backend answered (name and port), the proportions of a
/// split (both within 4 standard deviations of the weights), how many attempts the replicas saw, and
/// which replica an outlier ejection leaves. A difference is a bug in one of the two.
@Suite("Differential: isvc serve against a real Envoy", .serialized)
struct DifferentialEnvoyTests {
    typealias Gateways = Differential.Gateways

    /// One request through both gateways, serve's first.
    static func both(
        _ g: Gateways, host: String, path: String, method: String = "GET",
        headers: [(String, String)] = []
    ) async -> (serve: RawHTTP.Response, envoy: RawHTTP.Response) {
        let s = await RawHTTP.async(port: g.serve, host: host, path: path, method: method, headers: headers)
        let e = await RawHTTP.async(port: g.envoy, host: host, path: path, method: method, headers: headers)
        return (s, e)
    }

    /// `n` requests through one gateway; how many each answerer got.
    static func counts(_ port: Int, n: Int, host: String, path: String = "/", headers: [(String, String)] = []) async -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<n {
            counts[Differential.answerer(await RawHTTP.async(port: port, host: host, path: path, headers: headers)), default: 0] += 1
        }
        return counts
    }

    // MARK: - 1. Header route and a 90/10 split between two revisions

    static func revision(_ name: String, _ n: Int) -> String { "\(name)-predictor-0000\(n).default.svc.cluster.local" }

    @Test(
        "header route and 90/10 canary between two revisions (KServe's route and a user VirtualService): same backends, shares within bounds",
        .enabled(if: Differential.runs, Differential.skipReason), .timeLimit(.minutes(15)))
    func splitAndHeaderRoute() async throws {
        let first = ServeLiveTests.isvc("diff", concurrency: 0, replicas: (1, 1))
        let next = first.replacingOccurrences(of: "containerConcurrency: 0", with: "containerConcurrency: 0\n    canaryTrafficPercent: 10")
            .replacingOccurrences(of: "\"diff\", \"120\"", with: "\"diff-canary\", \"120\"")
        let front = TrafficLiveTests.virtualService(
            "diff-front", host: "diff.models.example.com",
            http: """
                    - name: by-header
                      match:
                        - headers:
                            x-model-version:
                              exact: canary
                      route:
                        - destination:
                            host: \(Self.revision("diff", 2))
                    - name: split
                      route:
                        - destination:
                            host: \(Self.revision("diff", 1))
                          weight: 90
                        - destination:
                            host: \(Self.revision("diff", 2))
                          weight: 10
                      headers:
                        request:
                          set:
                            x-routed-by: diff-front
                """)
        let yaml = next + "\n---\n" + front
        try await Differential.withBoth(yaml, previous: first, replicas: [Self.revision("diff", 1): 1, Self.revision("diff", 2): 1]) {
            g, _ in
            let stablePort = g.replicas[Self.revision("diff", 1)]![0], canaryPort = g.replicas[Self.revision("diff", 2)]![0]
            // Single requests: status, answering backend and port, and what the backend was sent.
            let single: [(String, String, [(String, String)])] = [
                ("diff.default.example.com", "/v1/models/diff:predict", []),
                ("diff.models.example.com", "/v1/models/diff:predict", [("x-model-version", "canary")]),
                ("diff.models.example.com", "/v1/models/diff:predict", [("x-model-version", "other")]),
                ("prev-diff-predictor.default.example.com", "/", []),
                ("latest-diff-predictor.default.example.com", "/", []),
                ("diff-predictor.default.example.com", "/", []),
                ("diff.default.svc.cluster.local", "/", []),
                ("nobody.example.com", "/", []),
            ]
            for (host, path, headers) in single {
                let r = await Self.both(g, host: host, path: path, headers: headers)
                #expect(r.serve.status == r.envoy.status, "\(host): serve \(r.serve.status), Envoy \(r.envoy.status)")
                if host.hasPrefix("prev-") || host.hasPrefix("latest-") || !headers.isEmpty && headers[0].1 == "canary" {
                    #expect(r.serve.port == r.envoy.port, "\(host): serve \(r.serve.port), Envoy \(r.envoy.port)")
                }
                // A split may pick different revisions; what they were sent is compared when the same one answered.
                guard r.serve.status == 200, r.envoy.status == 200, r.serve.port == r.envoy.port else { continue }
                for key in ["host", "path"] {
                    #expect(r.serve.json[key] as? String == r.envoy.json[key] as? String, "\(host) \(key)")
                }
                let sh = r.serve.json["headers"] as? [String: String] ?? [:], eh = r.envoy.json["headers"] as? [String: String] ?? [:]
                for key in [
                    "kserve-isvc-name", "kserve-isvc-namespace", "knative-serving-revision", "knative-serving-namespace", "x-routed-by",
                ] {
                    #expect(sh[key] == eh[key], "\(host) header \(key): serve \(sh[key] ?? "-"), Envoy \(eh[key] ?? "-")")
                }
            }
            let header = await Self.both(g, host: "diff.models.example.com", path: "/", headers: [("x-model-version", "canary")])
            #expect(header.serve.port == canaryPort && header.envoy.port == canaryPort)
            let prev = await Self.both(g, host: "prev-diff-predictor.default.example.com", path: "/")
            #expect(prev.serve.port == stablePort && prev.envoy.port == stablePort)

            // The header route always wins.
            for port in [g.serve, g.envoy] {
                let c = await Self.counts(port, n: 30, host: "diff.models.example.com", headers: [("x-model-version", "canary")])
                #expect(c == ["diff-canary": 30], "\(port == g.serve ? "serve" : "Envoy"): \(c)")
            }
            // Binomial(300, 0.1): mean 30, sd 5.2; 4 sd either side. Both hosts, both gateways.
            for host in ["diff.default.example.com", "diff.models.example.com"] {
                var shares: [String: [String: Int]] = [:]
                for (name, port) in [("serve", g.serve), ("Envoy", g.envoy)] {
                    let c = await Self.counts(port, n: 300, host: host, path: "/v1/models/diff:predict")
                    shares[name] = c
                    #expect(Set(c.keys).isSubset(of: ["diff", "diff-canary"]), "\(name) \(host): \(c)")
                    #expect((10...50).contains(c["diff-canary"] ?? 0), "\(name) \(host): canary share out of bounds: \(c)")
                }
                // Two binomials of 300: their difference has sd 7.3; 4 sd.
                let gap = abs((shares["serve"]?["diff-canary"] ?? 0) - (shares["Envoy"]?["diff-canary"] ?? 0))
                #expect(gap <= 30, "\(host): serve \(shares["serve"] ?? [:]), Envoy \(shares["Envoy"] ?? [:])")
            }
        }
    }

    // MARK: - 1b. Route matching

    @Test(
        "route matching: wildcard and exact VirtualService hosts, queryParams, withoutHeaders, ignoreUriCase: the same route in both",
        .enabled(if: Differential.runs, Differential.skipReason), .timeLimit(.minutes(15)))
    func routeMatching() async throws {
        let target = Self.revision("rm", 1)
        func rule(_ name: String, _ match: String?) -> String {
            """
                - name: \(name)
            \(match.map { "      match:\n        - " + $0 } ?? "")
                  route:
                    - destination:
                        host: \(target)
                  headers:
                    request:
                      set:
                        x-routed-by: \(name)
            """
        }
        let wild = [
            rule("by-query", "queryParams:\n            version:\n              exact: \"2\""),
            rule("ci", "uri:\n            prefix: /CI/\n          ignoreUriCase: true"),
            rule(
                "no-debug",
                "withoutHeaders:\n            x-debug: {}\n          headers:\n            x-token:\n              exact: secret"),
            rule("not-secret", "withoutHeaders:\n            x-token:\n              exact: secret"),
            rule("wild-default", nil),
        ].joined(separator: "\n")
        let yaml = [
            ServeLiveTests.isvc("rm", concurrency: 0, replicas: (1, 1)),
            TrafficLiveTests.virtualService("rm-wild", host: #""*.models.example.com""#, http: wild),
            TrafficLiveTests.virtualService("rm-exact", host: "special.models.example.com", http: rule("exact", nil)),
        ].joined(separator: "\n---\n")
        try await Differential.withBoth(yaml, replicas: [target: 1]) { g, _ in
            let cases: [(host: String, path: String, headers: [(String, String)], expected: String)] = [
                ("other.models.example.com", "/v1/models/rm:predict?version=2", [], "by-query"),
                ("other.models.example.com", "/v1/models/rm:predict?version=3&version=2", [("x-token", "secret")], "no-debug"),
                ("other.models.example.com", "/ci/models", [("x-token", "secret"), ("x-debug", "1")], "ci"),
                ("other.models.example.com", "/", [("x-token", "secret")], "no-debug"),
                ("other.models.example.com", "/", [("x-token", "other")], "not-secret"),
                ("other.models.example.com", "/", [], "not-secret"),
                ("other.models.example.com", "/", [("x-token", "secret"), ("x-debug", "")], "wild-default"),
                ("special.models.example.com", "/?version=2", [], "exact"),
                ("SPECIAL.Models.example.com:8080", "/", [], "exact"),
            ]
            for c in cases {
                let r = await Self.both(g, host: c.host, path: c.path, headers: c.headers)
                let served = (r.serve.json["headers"] as? [String: String])?["x-routed-by"] ?? "status \(r.serve.status)"
                let envoys = (r.envoy.json["headers"] as? [String: String])?["x-routed-by"] ?? "status \(r.envoy.status)"
                #expect(served == envoys, "\(c.host)\(c.path) \(c.headers): serve \(served), Envoy \(envoys)")
                #expect(served == c.expected, "\(c.host)\(c.path) \(c.headers): serve \(served), expected \(c.expected)")
            }
        }
    }

    // MARK: - 2. Retries

    @Test(
        "retries: attempts 2 on 5xx against a 503 path, Istio's default policy, a POST, and one replica failing: same statuses and attempts",
        .enabled(if: Differential.runs, Differential.skipReason), .timeLimit(.minutes(15)))
    func retries() async throws {
        let routes =
            TrafficLiveTests.route(
                "      rewrite:\n        uri: /\n      retries:\n        attempts: 2\n        retryOn: 5xx\n", match: "/r/")
            + TrafficLiveTests.route()
        let yaml = TrafficLiveTests.yaml("dretry", routes: routes, trafficPolicy: "    loadBalancer:\n      simple: ROUND_ROBIN\n")
        try await Differential.withBoth(yaml, replicas: [TrafficLiveTests.revision("dretry"): 2]) { g, _ in
            let ports = g.replicas[TrafficLiveTests.revision("dretry")]!
            let host = TrafficLiveTests.host("dretry")
            // Final status and the attempts both replicas saw, per request, per gateway.
            for (path, method, expected) in [
                ("/r/status/503/", "GET", 3), ("/r/status/503/", "POST", 3), ("/status/503/", "GET", 1),
                ("/status/503/", "POST", 1), ("/r/status/404/", "GET", 1), ("/r/status/500/", "GET", 3),
            ] {
                var outcome: [String: (Int, Int)] = [:]
                for (name, port) in [("serve", g.serve), ("Envoy", g.envoy)] {
                    var status = 0
                    let seen = await Differential.attempts(ports) {
                        status = await RawHTTP.async(port: port, host: host, path: path, method: method, body: method == "POST" ? "{}" : "")
                            .status
                    }
                    outcome[name] = (status, seen.reduce(0, +))
                }
                let s = outcome["serve"]!, e = outcome["Envoy"]!
                #expect(s == e, "\(method) \(path): serve status \(s.0) after \(s.1) attempts, Envoy \(e.0) after \(e.1)")
                #expect(e.1 == expected, "\(method) \(path): Envoy made \(e.1) attempts")
            }
            // One replica failing: with retries every answer is the healthy replica's; without (Istio's
            // default policy does not retry a 503) round robin sends every other request to the failing one.
            _ = await RawHTTP.async(port: ports[0], host: "127.0.0.1", path: "/fail/on")
            for (path, name) in [("/r/hello", "retried"), ("/hello", "not retried")] {
                var outcome: [String: ([String: Int], [Int])] = [:]
                for (gateway, port) in [("serve", g.serve), ("Envoy", g.envoy)] {
                    var answers: [String: Int] = [:]
                    let seen = await Differential.attempts(ports) {
                        for _ in 0..<10 {
                            let r = await RawHTTP.async(port: port, host: host, path: path)
                            answers[
                                r.status == 200 ? "200 from \(r.port == ports[1] ? "healthy" : "failing")" : "status \(r.status)",
                                default: 0] += 1
                        }
                    }
                    outcome[gateway] = (answers, seen)
                }
                let s = outcome["serve"]!, e = outcome["Envoy"]!
                // Round robin starts where each balancer last stopped (Envoy's at a random host), so
                // over 10 requests the counts may differ by one between the gateways, not more.
                for key in Set(s.0.keys).union(e.0.keys) {
                    #expect(abs(s.0[key, default: 0] - e.0[key, default: 0]) <= 1, "\(name): serve \(s.0), Envoy \(e.0)")
                }
                #expect(zip(s.1, e.1).allSatisfy { abs($0 - $1) <= 1 }, "\(name): attempts per replica: serve \(s.1), Envoy \(e.1)")
                if path == "/r/hello" { #expect(e.0 == ["200 from healthy": 10], "\(e.0)") }
            }
            _ = await RawHTTP.async(port: ports[0], host: "127.0.0.1", path: "/fail/off")
        }
    }

    // MARK: - 3. JWT and RBAC

    @Test(
        "RequestAuthentication and AuthorizationPolicy (fixtures/istio-jwt-authz.yaml), every fixture token: same status, reason, challenge, and what reached the replica",
        .enabled(if: Differential.runs, Differential.skipReason), .timeLimit(.minutes(15)))
    func jwt() async throws {
        let tokens = try SecurityFixtures.tokens()
        let security = try SecurityFixtures.text("fixtures/istio-jwt-authz.yaml").components(separatedBy: "\n---\n").dropFirst()
        let yaml = ([ServeLiveTests.isvc("sklearn-iris", concurrency: 0, replicas: (1, 1))] + security).joined(separator: "\n---\n")
        let workload = Self.revision("sklearn-iris", 1)
        try await Differential.withBoth(yaml, replicas: [workload: 1]) { g, _ in
            let replica = g.replicas[workload]!
            let host = "sklearn-iris.default.example.com"
            var cases: [(name: String, path: String, method: String, headers: [(String, String)], expected: Int)] = []
            for (name, token) in tokens.sorted(by: { $0.key < $1.key }) {
                let expected = ["alice": 200, "mallory": 403, "wrong-audience": 403][name] ?? 401
                cases.append((name, "/v1/models/sklearn-iris:predict", "POST", [("Authorization", "Bearer \(token)")], expected))
            }
            cases += [
                ("missing", "/v1/models/sklearn-iris:predict", "POST", [], 403),
                ("garbage", "/v1/models/sklearn-iris:predict", "POST", [("Authorization", "Bearer not.a.jwt")], 401),
                ("alice, query parameter", "/v1/models/sklearn-iris:predict?access_token=\(tokens["alice"]!)", "POST", [], 200),
                ("forged, query parameter", "/v1/models/sklearn-iris:predict?access_token=\(tokens["forged"]!)", "POST", [], 401),
                ("alice, path outside the policy", "/metrics", "GET", [("Authorization", "Bearer \(tokens["alice"]!)")], 403),
                ("alice, DELETE", "/v1/models/sklearn-iris", "DELETE", [("Authorization", "Bearer \(tokens["alice"]!)")], 403),
                ("alice, V2", "/v2/models/sklearn-iris/infer", "POST", [("Authorization", "Bearer \(tokens["alice"]!)")], 200),
            ]
            for c in cases {
                var answers: [RawHTTP.Response] = []
                var reached: [Int] = []
                for port in [g.serve, g.envoy] {
                    var r: RawHTTP.Response?
                    reached += await Differential.attempts(replica) {
                        r = await RawHTTP.async(
                            port: port, host: host, path: c.path, method: c.method, headers: c.headers,
                            body: c.method == "POST" ? #"{"instances": [[1, 2]]}"# : "")
                    }
                    answers.append(r!)
                }
                let (s, e) = (answers[0], answers[1])
                #expect(s.status == e.status, "\(c.name): serve \(s.status) \(s.body), Envoy \(e.status) \(e.body)")
                #expect(e.status == c.expected, "\(c.name): Envoy \(e.status)")
                #expect(reached[0] == reached[1], "\(c.name): reached the replica: serve \(reached[0]), Envoy \(reached[1])")
                #expect(reached[1] == (c.expected == 200 ? 1 : 0), "\(c.name)")
                #expect(s.headers["www-authenticate"] == e.headers["www-authenticate"], "\(c.name)")
                // Envoy's reason is plain text; serve sends it as {"error": reason} (README: known difference).
                if e.status != 200 {
                    #expect(
                        s.json["error"] as? String == e.body.trimmingCharacters(in: .whitespacesAndNewlines),
                        "\(c.name): serve \(s.body), Envoy \(e.body)")
                }
            }
        }
    }

    // MARK: - 4. Outlier detection

    @Test(
        "outlier detection: a replica switched to failing is ejected after 3 consecutive 5xx by both, and comes back after its ejection time",
        .enabled(if: Differential.runs, Differential.skipReason), .timeLimit(.minutes(15)))
    func outlierDetection() async throws {
        let policy = TrafficLiveTests.outlierPolicy(consecutive5xx: 3, baseEjectionTime: "3s", maxEjectionPercent: 100)
        let yaml = TrafficLiveTests.yaml("dod", routes: TrafficLiveTests.route(), trafficPolicy: policy)
        try await Differential.withBoth(yaml, replicas: [TrafficLiveTests.revision("dod"): 2]) { g, _ in
            let ports = g.replicas[TrafficLiveTests.revision("dod")]!
            let host = TrafficLiveTests.host("dod")
            func drive(_ port: Int, _ n: Int) async -> [String] {
                var log: [String] = []
                for _ in 0..<n {
                    let r = await RawHTTP.async(port: port, host: host, path: "/")
                    log.append(r.status == 200 ? (r.port == ports[0] ? "first" : "second") : "status \(r.status)")
                }
                return log
            }
            // Warm: both replicas answer through both gateways.
            for port in [g.serve, g.envoy] { #expect(Set(await drive(port, 4)) == ["first", "second"]) }
            _ = await RawHTTP.async(port: ports[0], host: "127.0.0.1", path: "/fail/on")
            let serve = await drive(g.serve, 14), envoy = await drive(g.envoy, 14)
            // Round robin: the failing replica answers every other request until its third 503 ejects it.
            for (name, log) in [("serve", serve), ("Envoy", envoy)] {
                #expect(log.filter { $0 == "status 503" }.count == 3, "\(name): \(log)")
                #expect(log.suffix(8).allSatisfy { $0 == "second" }, "\(name): \(log)")
                #expect(!log.contains("first"), "\(name): \(log)")
            }
            // Healthy again: after the 3 s ejection (unejected on an interval tick), it takes traffic again.
            _ = await RawHTTP.async(port: ports[0], host: "127.0.0.1", path: "/fail/off")
            try await Task.sleep(for: .seconds(5))
            let serveAfter = await drive(g.serve, 6), envoyAfter = await drive(g.envoy, 6)
            #expect(serveAfter.filter { $0 == "first" }.count == 3, "serve: \(serveAfter)")
            #expect(envoyAfter.filter { $0 == "first" }.count == 3, "Envoy: \(envoyAfter)")
        }
    }
}
