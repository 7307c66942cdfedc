import Foundation
import ISVCCore
import Testing

@testable import ISVCServe

/// What `isvc serve` reads from a compiled LLMInferenceService: the workload, the HTTPRoute's rules
/// as the KServe gateway's routes (Gateway API matching and rewrites), the pool's picker profile.
@Suite("LLMInferenceService: the serve plan")
struct LLMServePlanTests {
    static func plan(_ fixture: String) throws -> ServePlan {
        let text = try String(contentsOf: GatewayRouterTests.root.appendingPathComponent("fixtures/\(fixture).yaml"), encoding: .utf8)
        let result = ServeLiveTests.compile(text, previous: nil)
        return try ServePlan(result)
    }

    static func route(
        _ plan: ServePlan, _ path: String, method: String = "POST", headers: [(String, String)] = [], host: String = "gateway.example"
    ) -> GatewayRouter.Decision? {
        try? plan.router.route(.init(host: host, path: path, method: method, headers: headers.map { ($0.0, $0.1) })).get()
    }

    @Test("the managed route: /<ns>/<name>/v1/... rewritten to /v1/... into the pool; model routes by X-Gateway-Model-Name")
    func managedRoute() throws {
        let plan = try Self.plan("llm-opt-125m")
        let workload = "facebook-opt-125m-single-kserve.default.svc.cluster.local"
        #expect(plan.workloads.keys.sorted() == [workload], "the EPP's Deployment runs in process, not as a workload")
        #expect(plan.workloads[workload]?.userPort == 8000)
        #expect(plan.workloads[workload]?.container["name"]?.string == "main")
        #expect(plan.warnings.contains { $0.contains("model hf://facebook/opt-125m is not downloaded") })
        // The OpenAI inference paths go to the pool (its picker); the catch-all rules to the workload
        // Service, past the picker, as KServe's route sends them.
        for (incoming, upstream, pool) in [
            ("/default/facebook-opt-125m-single/v1/completions", "/v1/completions", true),
            ("/default/facebook-opt-125m-single/v1/chat/completions?x=1", "/v1/chat/completions?x=1", true),
            ("/default/facebook-opt-125m-single/v1/models", "/v1/models", false),
            ("/default/facebook-opt-125m-single/health", "/health", false),
        ] {
            let decision = try #require(Self.route(plan, incoming), "\(incoming)")
            #expect(decision.request.path == upstream, "\(incoming)")
            #expect(decision.clusterHost == workload)
            let picker = plan.pools[decision.hops[0].cluster]?.name
            #expect(picker == (pool ? "facebook-opt-125m-single-inference-pool" : nil), "\(incoming)")
        }
        // PathPrefix matches whole path elements: /v1/completionsX is not the completions rule's; the
        // catch-all rule under /<ns>/<name> takes it (its ReplacePrefixMatch "/" keeps one slash).
        let other = try #require(Self.route(plan, "/default/facebook-opt-125m-single/v1/completionsX"))
        #expect(other.request.path == "/v1/completionsX")
        #expect(other.hops[0].route.name == "default.facebook-opt-125m-single-kserve-route.10.0")
        #expect(Self.route(plan, "/default/facebook-opt-125m-single/v1/completions")?.hops[0].route.name?.hasSuffix("route.0.0") == true)
        #expect(Self.route(plan, "/default/facebook-opt-125m-singlex/v1/completions") == nil)
        // The model route: any host, the exact OpenAI path, the model header body-based routing sets.
        let model = ("X-Gateway-Model-Name", "publishers/default/models/facebook/opt-125m")
        #expect(Self.route(plan, "/v1/completions", headers: [model])?.request.path == "/v1/completions")
        #expect(Self.route(plan, "/v1/chat/completions/", headers: [model]) != nil)
        #expect(Self.route(plan, "/v1/completions") == nil)
        #expect(Self.route(plan, "/v1/completions", headers: [("X-Gateway-Model-Name", "other")]) == nil)
    }

    @Test("the pool's picker runs KServe's default profile from the scheduler's --config-text")
    func pickerProfile() throws {
        let plan = try Self.plan("llm-opt-125m")
        let pool = try #require(plan.pools.values.first)
        #expect(pool.config.scorers.map(\.scorer) == [.queue, .kvCacheUtilization, .prefixCache, .noHitLRU])
        #expect(pool.config.scorers.map(\.weight) == [2, 2, 3, 2])
        #expect(pool.config.unsupported.isEmpty)
    }

    @Test("without a scheduler the route's backend is the workload Service: no picker")
    func noScheduler() throws {
        let plan = try Self.plan("llm-opt-125m-no-scheduler")
        #expect(plan.pools.isEmpty)
        let decision = try #require(Self.route(plan, "/llm-demo/facebook-opt-125m-single/v1/completions"))
        #expect(decision.request.path == "/v1/completions")
        #expect(plan.workloads[decision.clusterHost] != nil)
    }

    @Test("LoRA adapters: each adapter's publisher name routes to the pool like the base model's")
    func loraRoutes() throws {
        let plan = try Self.plan("llm-lora")
        for model in ["facebook/opt-125m", "adapter-1", "adapter-2"] {
            let header = ("X-Gateway-Model-Name", "publishers/kserve-ci-e2e-test/models/\(model)")
            let decision = try #require(Self.route(plan, "/v1/completions", headers: [header]), "\(model)")
            #expect(plan.pools[decision.hops[0].cluster] != nil, "\(model)")
        }
        #expect(
            Self.route(plan, "/v1/completions", headers: [("X-Gateway-Model-Name", "publishers/kserve-ci-e2e-test/models/adapter-3")])
                == nil)
    }

    @Test("a prefill/decode service is left out of serve with llm.left-out; the rest of the input is served")
    func prefillDecodeLeftOut() throws {
        let text = try String(contentsOf: GatewayRouterTests.root.appendingPathComponent("fixtures/llm-opt-125m-pd.yaml"), encoding: .utf8)
        let other = try String(contentsOf: GatewayRouterTests.root.appendingPathComponent("fixtures/llm-opt-125m.yaml"), encoding: .utf8)
        let (result, diagnostics) = ServeSession.compile(
            [.init(path: "pd.yaml", text: text), .init(path: "single.yaml", text: other)], settings: ServeSession.Settings(), previous: nil)
        let warnings = diagnostics.all.filter { $0.rule == LLMRule.leftOut.rawValue }
        #expect(warnings.count == 1 && warnings[0].message.contains("prefill/decode LLMInferenceServices"), "\(warnings.map(\.formatted))")
        #expect(
            Set(result.plan.objects.filter { $0.origin.kind == "LLMInferenceService" }.map(\.origin.name)) == ["facebook-opt-125m-single"])
        let plan = try ServePlan(result)
        #expect(plan.llmPaths == ["facebook-opt-125m-single": "/default/facebook-opt-125m-single"])
    }

    @Test("Gateway API precedence: exact before prefix, the longer prefix first, more header matches first; rewrites without //")
    func precedence() {
        let route: Value = [
            "spec": [
                "rules": [
                    ["matches": [["path": ["type": "PathPrefix", "value": "/a"]]], "backendRefs": [["name": "short", "port": 80]]],
                    [
                        "matches": [["path": ["type": "PathPrefix", "value": "/a/b/"]]], "backendRefs": [["name": "long", "port": 80]],
                        "filters": [
                            ["type": "URLRewrite", "urlRewrite": ["path": ["type": "ReplacePrefixMatch", "replacePrefixMatch": "/"]]]
                        ],
                    ],
                    ["matches": [["path": ["type": "Exact", "value": "/a/b/c"]]], "backendRefs": [["name": "exact", "port": 80]]],
                    [
                        "matches": [["path": ["type": "PathPrefix", "value": "/a"], "headers": [["name": "X-Team", "value": "x"]]]],
                        "backendRefs": [["name": "header", "port": 80]],
                    ],
                    ["matches": [["path": ["type": "Nope", "value": "/"]]], "backendRefs": [["name": "bad", "port": 80]]],
                ]
            ]
        ]
        var translation = HTTPRouteTranslation()
        translation.add(route: route, namespace: "ns", name: "r") { "outbound|80||\($0.name).ns.svc.cluster.local" }
        #expect(translation.ordered.map(\.name) == ["ns.r.2.0", "ns.r.1.0", "ns.r.3.0", "ns.r.0.0"])
        #expect(translation.unsupported.count == 1 && translation.unsupported[0].contains("path.type Nope"))
        let rewrite = translation.ordered[1]
        #expect(GatewayRouter.rewrite("/a/b/c/d?q", action: rewrite.route, match: rewrite.match) == "/c/d?q")
        #expect(GatewayRouter.rewrite("/a/b", action: rewrite.route, match: rewrite.match) == "/")
    }

    /// One rule `/p` with `filters` and `backendRefs`, translated.
    static func rule(replace: String? = nil, backends: [Value]) -> Envoy.Route {
        var rule: [String: Value] = ["matches": [["path": ["type": "PathPrefix", "value": "/p"]]], "backendRefs": .array(backends)]
        if let replace {
            rule["filters"] = [
                ["type": "URLRewrite", "urlRewrite": ["path": ["type": "ReplacePrefixMatch", "replacePrefixMatch": .string(replace)]]]
            ]
        }
        var translation = HTTPRouteTranslation()
        translation.add(route: ["spec": ["rules": [.object(rule)]]], namespace: "ns", name: "r") { b in
            b.name == "missing" ? nil : "outbound|80||\(b.name).ns.svc.cluster.local"
        }
        return translation.ordered[0]
    }

    @Test("Gateway API durations: 0s, 1h30m, 500ms, 10s; anything else is not one")
    func durations() {
        #expect(HTTPRouteTranslation.seconds(gatewayDuration: "0s") == 0)
        #expect(HTTPRouteTranslation.seconds(gatewayDuration: "1h30m") == 5400)
        #expect(HTTPRouteTranslation.seconds(gatewayDuration: "500ms") == 0.5)
        #expect(HTTPRouteTranslation.seconds(gatewayDuration: "1m0.5s") == nil)
        #expect(HTTPRouteTranslation.seconds(gatewayDuration: "") == nil)
        #expect(HTTPRouteTranslation.seconds(gatewayDuration: "1d") == nil)
    }

    @Test("ReplacePrefixMatch as the Gateway API's table: /x, /x/, and the empty replacement")
    func replacePrefixMatch() {
        for (replacement, cases) in [
            ("/x", [("/p", "/x"), ("/p/", "/x/"), ("/p/a?q=1", "/x/a?q=1")]),
            ("/x/", [("/p", "/x/"), ("/p/a", "/x/a")]),
            ("", [("/p", "/"), ("/p/a", "/a")]),
        ] {
            let r = Self.rule(replace: replacement, backends: [["name": "s", "port": 80]])
            for (path, expected) in cases {
                #expect(GatewayRouter.rewrite(path, action: r.route, match: r.match) == expected, "\(replacement): \(path)")
            }
        }
    }

    @Test("backend weights: 0 takes no traffic; a rule with no backend left answers 500 (noBackend), not 404")
    func backendWeights() throws {
        let zeroAndOne = Self.rule(backends: [["name": "a", "port": 80, "weight": 0], ["name": "b", "port": 80]])
        #expect(zeroAndOne.route.destination == .cluster("outbound|80||b.ns.svc.cluster.local"))
        for backends: [Value] in [[["name": "a", "port": 80, "weight": 0]], [["name": "missing", "port": 80]], []] {
            let r = Self.rule(backends: backends)
            #expect(r.route.destination == nil && r.route.clusterNotFoundResponseCode == "INTERNAL_SERVER_ERROR")
            var router = try Self.plan("llm-opt-125m").router
            router.addVirtualHost(name: "t", domains: ["t.example"], routes: [r])
            #expect(throws: GatewayRouter.Failure.noBackend("t.example")) { try router.route(.init(host: "t.example", path: "/p")).get() }
        }
    }
}
