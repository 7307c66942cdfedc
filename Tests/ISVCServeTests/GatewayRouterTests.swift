import Foundation
import Testing

@testable import ISVCCore
@testable import ISVCServe

@Suite("Gateway routing from the compiled plan")
struct GatewayRouterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func compile(_ paths: [String], previous: Compiler.Result? = nil) -> Compiler.Result {
        var options = Compiler.Options()
        options.previous = previous.map { PreviousState(objects: $0.plan.objects.map(\.body)) }
        let sources = paths.map {
            InputLoader.Source(path: $0, text: (try? String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) ?? "")
        }
        let d = Diagnostics()
        let result = Compiler.compile(sources, options: options, diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        return result
    }

    static func router(_ result: Compiler.Result) throws -> GatewayRouter {
        try GatewayRouter(
            bootstrap: Compiler.envoyBootstrap(result, options: EnvoyOptions()),
            localGatewayHost: result.validated.config.localGatewayHost)
    }

    @Test("the external host reaches the revision through the local gateway, with KServe's and Knative's headers")
    func hostRouting() throws {
        let router = try Self.router(Self.compile(["fixtures/sklearn-iris.yaml"]))
        let decision = try router.route(.init(host: "sklearn-iris.default.example.com:8080", path: "/v1/models/sklearn-iris:predict")).get()
        #expect(decision.clusterHost == "sklearn-iris-predictor-00001.default.svc.cluster.local")
        #expect(decision.request.host == "sklearn-iris-predictor.default.svc.cluster.local")
        #expect(decision.request.header("KServe-Isvc-Name") == "sklearn-iris")
        #expect(decision.request.header("Knative-Serving-Revision") == "sklearn-iris-predictor-00001")
        #expect(decision.trace.count == 2)
        // The component's own external host goes straight to the revision.
        #expect(try router.route(.init(host: "sklearn-iris-predictor.default.example.com", path: "/")).get().trace.count == 1)
    }

    @Test("an unknown host lists the hosts that exist")
    func unknownHost() throws {
        let router = try Self.router(Self.compile(["fixtures/sklearn-iris.yaml"]))
        guard case .failure(.unknownHost(let host, let known)) = router.route(.init(host: "nope.example.com", path: "/")) else {
            Issue.record("expected an unknown-host failure")
            return
        }
        #expect(host == "nope.example.com")
        #expect(known.contains("sklearn-iris.default.example.com"))
    }

    @Test("the by-model-name convenience is for the gateway's own address only (port and case ignored)")
    func ownAddress() {
        for host in ["localhost", "LocalHost:8080", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080"] {
            #expect(GatewayServer.isOwnAddress(host, listenHost: "127.0.0.1"), "\(host)")
        }
        for host in [
            "", "evil.example.com", "127.0.0.2", "localhost.example.com", "localhost:x", "[::1]x", "[::2]", "::1",
            "sklearn-iris.default.example.com", "10.0.0.5",
        ] {
            #expect(!GatewayServer.isOwnAddress(host, listenHost: "127.0.0.1"), "\(host)")
        }
        // The --host value too (an IPv6 one written in brackets, as in a Host header).
        #expect(GatewayServer.isOwnAddress("10.0.0.5:8080", listenHost: "10.0.0.5"))
        #expect(GatewayServer.isOwnAddress("gw.local", listenHost: "GW.local"))
        #expect(GatewayServer.isOwnAddress("[fd00::5]:8080", listenHost: "fd00::5"))
        #expect(!GatewayServer.isOwnAddress("10.0.0.6", listenHost: "10.0.0.5"))
    }

    @Test("a transformer is in front of the predictor; :explain goes to the explainer")
    func components() throws {
        let t = try Self.router(Self.compile(["fixtures/transformer.yaml"]))
        #expect(
            try t.route(.init(host: "torch-transformer.default.example.com", path: "/v1/models/mnist:predict")).get().clusterHost
                == "torch-transformer-transformer-00001.default.svc.cluster.local")
        let e = try Self.router(Self.compile(["fixtures/explainer.yaml"]))
        #expect(
            try e.route(.init(host: "income.default.example.com", path: "/v1/models/income:explain")).get().clusterHost
                == "income-explainer-00001.default.svc.cluster.local")
        #expect(
            try e.route(.init(host: "income.default.example.com", path: "/v1/models/income:predict")).get().clusterHost
                == "income-predictor-00001.default.svc.cluster.local")
    }

    @Test("a 10% canary gets about 10% of requests; the prev tag host always the rolled-out revision")
    func canarySplit() throws {
        let base = Self.compile(["fixtures/rollouts/sklearn/01-first-deploy.yaml"])
        let router = try Self.router(Self.compile(["fixtures/rollouts/sklearn/02-canary-10-percent.yaml"], previous: base))
        var generator = SystemRandomNumberGenerator()
        var canary = 0
        for _ in 0..<2000 {
            let d = try router.route(
                .init(host: "sklearn-iris.default.example.com", path: "/"), random: { Double.random(in: 0..<1, using: &generator) }
            ).get()
            if d.clusterHost.hasPrefix("sklearn-iris-predictor-00002.") { canary += 1 }
        }
        // Binomial(2000, 0.1): mean 200, sd 13.4; 5 sd either side.
        #expect((133...267).contains(canary), "canary share: \(canary)/2000")
        for _ in 0..<50 {
            #expect(
                try router.route(.init(host: "prev-sklearn-iris-predictor.default.example.com", path: "/")).get().clusterHost
                    == "sklearn-iris-predictor-00001.default.svc.cluster.local")
        }
    }

    @Test("a user VirtualService's header match wins over its split")
    func headerMatch() throws {
        let router = try Self.router(Self.compile(["fixtures/istio-header-split.yaml"]))
        let d = try router.route(.init(host: "iris.models.example.com", path: "/", headers: [("x-model-version", "canary")])).get()
        #expect(d.trace.last?.hasSuffix("outbound|80|canary|sklearn-iris-predictor-00001.default.svc.cluster.local") == true)
        #expect(d.timeoutSeconds == 30)
    }

    @Test(
        "serve refuses an Envoy config it cannot run as Envoy would, naming the field: PASSTHROUGH is CLUSTER_PROVIDED on static endpoints")
    func refusesUnsupported() throws {
        let isvc = try String(contentsOf: Self.root.appendingPathComponent("fixtures/sklearn-iris.yaml"), encoding: .utf8)
        let rule = """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: passthrough
              namespace: default
            spec:
              host: sklearn-iris-predictor-00001.default.svc.cluster.local
              trafficPolicy:
                loadBalancer:
                  simple: PASSTHROUGH
            """
        let d = Diagnostics()
        let result = Compiler.compile([.init(path: "passthrough.yaml", text: isvc + "\n" + rule)], options: .init(), diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        let bootstrap = Compiler.envoyBootstrap(result, options: EnvoyOptions())
        let index = try #require(bootstrap.clusters.firstIndex { $0.lbPolicy == .clusterProvided })
        #expect(
            throws: UnsupportedEnvoyConfig(
                path: "static_resources.clusters[\(index)].lb_policy",
                reason: "CLUSTER_PROVIDED has no load balancer for static endpoints")
        ) {
            try ServePlan(result)
        }
    }
}
