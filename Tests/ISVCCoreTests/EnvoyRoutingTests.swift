import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore

/// The emitted Envoy configuration, run in a real Envoy in front of loopback backends.
@Suite("Envoy routing", .serialized)
struct EnvoyRoutingTests {
    static let runs = TestTools.runs(with: TestTools.envoy)
    static let skipReason = Comment(rawValue: "Envoy is \(TestTools.missing), or set ISVC_ENVOY")

    struct Setup {
        var envoy: Loopback.Child
        var backends: [Loopback.Child]
        var port: Int
        func stop() {
            envoy.stop()
            for backend in backends { backend.stop() }
        }
    }

    /// Starts backends (name -> endpoint key) and an Envoy with the config of `result`.
    static func start(_ result: Compiler.Result, backends: [(name: String, endpointKey: String)]) throws -> Setup {
        var options = EnvoyOptions()
        options.listenAddress = "127.0.0.1"
        var offset = 0
        // Listeners at 9080-19081: below the kernel's ephemeral range (32768-60999), where other tests'
        // clients live, and apart from the backends' ports (Loopback.freePort).
        for _ in 0..<50 {
            let candidate = Int.random(in: 1_000...11_000)
            if Loopback.isFree(8080 + candidate), Loopback.isFree(8081 + candidate) { offset = candidate; break }
        }
        options.portOffset = offset
        options.adminPort = Loopback.freePort()
        var children: [Loopback.Child] = []
        for b in backends {
            let port = Loopback.freePort()
            options.endpoints[b.endpointKey] = ("127.0.0.1", port)
            children.append(
                try Loopback.Child(
                    "/usr/bin/env",
                    [
                        "python3", Golden.root.appendingPathComponent("scripts/echo-backend.py").path,
                        String(port), b.name, "120",
                    ]))
            #expect(Loopback.waitForListener(port), "backend \(b.name) did not start")
        }
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-envoy-\(UUID().uuidString).yaml")
        try YAMLWriter.document(Compiler.envoy(result, options: options)).write(to: config, atomically: true, encoding: .utf8)
        let envoy = try Loopback.Child(
            try #require(TestTools.envoy, "Envoy is \(TestTools.missing)"),
            [
                "-c", config.path, "--disable-hot-restart", "--concurrency", "1", "-l", "error",
                "--base-id", String(Int.random(in: 1000...60000)),
            ])
        #expect(Loopback.waitForListener(8080 + offset), "Envoy did not start listening")
        #expect(Loopback.waitForListener(8081 + offset), "Envoy's local gateway listener did not start")
        #expect(Loopback.waitForEnvoyReady(adminPort: options.adminPort), "Envoy did not become ready")
        return Setup(envoy: envoy, backends: children, port: 8080 + offset)
    }

    static func compile(_ paths: [String], previous: Compiler.Result? = nil) -> Compiler.Result {
        var options = Compiler.Options()
        options.previous = previous.map { PreviousState(objects: $0.plan.objects.map(\.body)) }
        let d = Diagnostics()
        let r = Compiler.compile(paths.map { .init(path: $0, text: Golden.read($0) ?? "") }, options: options, diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        return r
    }

    static func backend(_ r: Loopback.Response?) -> String? {
        guard let r, r.status == 200, let data = r.body.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["backend"] as? String
    }

    @Test(
        "Host routing through both gateway hops, tag hosts, and a 90/10 canary split within bounds",
        .enabled(if: runs, skipReason), .timeLimit(.minutes(15)))
    func canarySplit() async throws {
        try await LoopbackLock.run { try Self.canarySplitBody() }
    }

    static func canarySplitBody() throws {
        let base = Self.compile(["fixtures/rollouts/sklearn/01-first-deploy.yaml"])
        let canary = Self.compile(["fixtures/rollouts/sklearn/02-canary-10-percent.yaml"], previous: base)
        let setup = try Self.start(
            canary,
            backends: [
                ("stable", "sklearn-iris-predictor-00001.default.svc.cluster.local"),
                ("canary", "sklearn-iris-predictor-00002.default.svc.cluster.local"),
            ])
        defer { setup.stop() }

        // The external host hops through the local gateway to the revisions.
        let first = Loopback.request(port: setup.port, host: "sklearn-iris.default.example.com", path: "/v1/models/sklearn-iris")
        #expect(first?.status == 200, "\(first?.body ?? "no answer")")
        let seen = try JSONSerialization.jsonObject(with: Data((first?.body ?? "{}").utf8)) as? [String: Any]
        let headers = seen?["headers"] as? [String: String] ?? [:]
        #expect(headers["kserve-isvc-name"] == "sklearn-iris")
        #expect(["sklearn-iris-predictor-00001", "sklearn-iris-predictor-00002"].contains(headers["knative-serving-revision"] ?? ""))

        // 10% to the canary: 600 requests, binomial sd 7.3; 4 sd either side of 60.
        var counts: [String: Int] = [:]
        for _ in 0..<600 {
            let r = Loopback.request(port: setup.port, host: "sklearn-iris.default.example.com", path: "/v1/models/sklearn-iris:predict")
            counts[Self.backend(r) ?? "failed \(r?.status ?? 0)", default: 0] += 1
        }
        #expect(counts.keys.allSatisfy { !$0.hasPrefix("failed") }, "\(counts)")
        #expect((31...89).contains(counts["canary"] ?? 0), "canary share out of bounds: \(counts)")

        // The prev tag host always reaches the rolled-out revision; an unknown host gets 404.
        for _ in 0..<20 {
            #expect(Self.backend(Loopback.request(port: setup.port, host: "prev-sklearn-iris-predictor.default.example.com")) == "stable")
        }
        #expect(Loopback.request(port: setup.port, host: "nobody.example.com")?.status == 404)
    }

    @Test(
        "a user VirtualService routes by header, else splits 90/10 between DestinationRule subsets",
        .enabled(if: runs, skipReason), .timeLimit(.minutes(15)))
    func headerRoute() async throws {
        try await LoopbackLock.run { try Self.headerRouteBody() }
    }

    static func headerRouteBody() throws {
        let result = Self.compile(["fixtures/istio-header-split.yaml"])
        let host = "sklearn-iris-predictor-00001.default.svc.cluster.local"
        let setup = try Self.start(
            result,
            backends: [
                ("stable", "outbound|80|stable|\(host)"), ("canary", "outbound|80|canary|\(host)"),
            ])
        defer { setup.stop() }
        for _ in 0..<30 {
            let r = Loopback.request(port: setup.port, host: "iris.models.example.com", headers: ["x-model-version": "canary"])
            #expect(Self.backend(r) == "canary", "status \(r?.status ?? 0): \(r?.body.prefix(200) ?? "no answer")")
        }
        var counts: [String: Int] = [:]
        for _ in 0..<600 {
            let r = Loopback.request(port: setup.port, host: "iris.models.example.com")
            counts[Self.backend(r) ?? "failed \(r?.status ?? 0)", default: 0] += 1
        }
        #expect(counts.keys.allSatisfy { !$0.hasPrefix("failed") }, "\(counts)")
        #expect((31...89).contains(counts["canary"] ?? 0), "canary share out of bounds: \(counts)")
        let routed = Loopback.request(port: setup.port, host: "iris.models.example.com")
        #expect(routed?.body.contains("\"x-routed-by\": \"iris-front\"") == true)
    }
}

extension EnvoyRoutingTests {
    static func tokens() throws -> [String: String] {
        let text = try #require(Golden.read("fixtures/support/jwt-tokens.json"))
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
    }

    @Test(
        "RequestAuthentication and AuthorizationPolicy: a valid token passes, a forged or expired one gets 401, a missing or wrong principal 403",
        .enabled(if: runs, skipReason), .timeLimit(.minutes(15)))
    func jwt() async throws {
        try await LoopbackLock.run { try Self.jwtBody() }
    }

    static func jwtBody() throws {
        let tokens = try Self.tokens()
        let result = Self.compile(["fixtures/istio-jwt-authz.yaml"])
        let setup = try Self.start(result, backends: [("model", "sklearn-iris-predictor-00001.default.svc.cluster.local")])
        defer { setup.stop() }
        let host = "sklearn-iris.default.example.com", path = "/v1/models/sklearn-iris:predict"
        func status(_ token: String?) -> Int? {
            Loopback.request(
                port: setup.port, host: host, path: path,
                headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])?.status
        }
        let ok = Loopback.request(port: setup.port, host: host, path: path, headers: ["Authorization": "Bearer \(tokens["alice"]!)"])
        #expect(ok?.status == 200)
        #expect(Self.backend(ok) == "model")
        #expect(status(tokens["forged"]) == 401)
        #expect(status(tokens["expired"]) == 401)
        #expect(status(tokens["mallory"]) == 403)
        #expect(status(nil) == 403)
    }
}
