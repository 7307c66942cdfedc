import ISVCCore
import Testing

@testable import ISVCServe

/// KServe's agent sidecar in a plan serve reads: the model server is still the container serve runs,
/// and the agent's roles, which serve does not play yet, are said at start.
@Suite("Serve plan: the agent sidecar")
struct ServePlanAgentTests {
    static func plan(_ mode: String, logger: Bool, multiModel: Bool = false) throws -> ServePlan {
        let yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: custom
              annotations:
                serving.kserve.io/deploymentMode: \(mode)
            spec:
              predictor:
            \(logger ? "    logger:\n      mode: all\n    batcher: {}\n" : "")    containers:
                  - name: kserve-container
                    image: registry.example.com/model:1
                    command: [python3, -m, server]
            \(multiModel ? "        env:\n          - {name: MULTI_MODEL_SERVER, value: \"true\"}\n" : "")
            """
        let d = Diagnostics()
        let result = Compiler.compile([.init(path: "agent.yaml", text: yaml)], options: .init(), diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        return try ServePlan(result)
    }

    @Test(
        "a container without ports is still the model server when the agent (with its port) stands beside it",
        arguments: ["Knative", "Standard"])
    func servingContainer(_ mode: String) throws {
        let plan = try Self.plan(mode, logger: true)
        let workload = try #require(plan.workloads.values.first)
        #expect(workload.container["name"] == "kserve-container")
        #expect(workload.agent?.logger?.mode == .all)
        #expect(workload.agent?.batcher == AgentSettings.Batcher(maxBatchSize: 32, maxLatencyMilliseconds: 5000))
        // Serve plays the logger and the batcher: nothing to warn about.
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
    }

    @Test("the model puller is played by serve: no warning, the agent's puller role is read")
    func puller() throws {
        let plan = try Self.plan("Standard", logger: false, multiModel: true)
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
        #expect(plan.workloads.values.first?.agent?.puller == true)
    }

    @Test("no agent, no warning")
    func noAgent() throws {
        #expect(try Self.plan("Standard", logger: false).warnings.isEmpty)
    }
}
