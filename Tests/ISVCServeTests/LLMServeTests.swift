import Foundation
import LoopbackSupport
import Testing

@testable import ISVCServe

/// An LLMInferenceService served by `isvc serve`: two replicas of the vLLM simulator behind its
/// managed HTTPRoute and InferencePool, the endpoint picker choosing between them.
@Suite("LLMInferenceService through isvc serve", .serialized)
struct LLMServeTests {
    static func llm(_ name: String, ttft: Int, tpot: Int, maxRunning: Int, replicas: Int = 2) -> String {
        """
        apiVersion: serving.kserve.io/v1alpha2
        kind: LLMInferenceService
        metadata:
          name: \(name)
        spec:
          model: {uri: "hf://facebook/opt-125m", name: \(name)}
          replicas: \(replicas)
          router: {scheduler: {}, route: {}, gateway: {}}
          template:
            containers:
              - name: main
                image: vllm/vllm-openai
                command: [python3, \(StreamingServeTests.simulator)]
                args: [--port, "8000", --served-model-name, \(name), publishers/default/models/\(name),
                       --ttft-ms, "\(ttft)", --tpot-ms, "\(tpot)", --max-running, "\(maxRunning)"]
        """
    }

    /// The replicas' ports, in the runtime's order (bounded wait for both).
    static func replicas(_ gateway: GatewayServer, _ name: String, count: Int = 2) async throws -> [Int] {
        let runtime = try #require(gateway.runtimes["\(name)-kserve.default.svc.cluster.local"])
        for _ in 0..<150 {
            let ports = await runtime.replicaPorts
            if ports.count == count { return ports }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(name) never had \(count) replicas")
        return []
    }

    static func finished(_ ports: [Int]) async -> [Int] {
        var out: [Int] = []
        for port in ports { out.append(await StreamingServeTests.counter(port, "isvc_sim_finished_total")) }
        return out
    }

    @Test(
        "the openai client through the route's path and, by model name, through the model route: streamed and not",
        .enabled(if: OpenAIClientTests.runs, OpenAIClientTests.missing), .timeLimit(.minutes(15)))
    func openaiClient() async throws {
        let script = TestTools.root.appendingPathComponent("scripts/openai-client.py").path
        try await ServeLiveTests.withGateway(Self.llm("opt", ttft: 50, tpot: 100, maxRunning: 8)) { port, gateway in
            _ = try await Self.replicas(gateway, "opt")
            // The model route takes completions only (GET /v1/models has no body to route by).
            for (base, model, flags) in [
                ("http://127.0.0.1:\(port)/default/opt/v1", "opt", [String]()),
                ("http://127.0.0.1:\(port)/v1", "publishers/default/models/opt", ["--no-models"]),
            ] {
                let (status, output) = await OpenAIClientTests.run([script] + flags + [base, model])
                #expect(status == 0, "\(base): \(output)")
                let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
                let text = (report["completion"] as? [String: Any])?["text"] as? String ?? ""
                #expect(text.split(separator: " ").count == 5, "\(base): \(report)")
                if flags.isEmpty { #expect(report["models"] as? [String] == ["opt", "publishers/default/models/opt"]) }
                for name in ["completion_stream", "chat_stream"] {
                    let stream = report[name] as? [String: Any] ?? [:]
                    let times = stream["times"] as? [Double] ?? []
                    #expect(stream["text"] as? String == text, "\(base) \(name): \(stream)")
                    #expect((times.last ?? 0) - (times.first ?? 0) >= 0.3, "\(base) \(name): chunks arrived at \(times)")
                }
            }
        }
    }

    @Test(
        "beside an LLMInferenceService (whose routes take every host), localhost still finds an InferenceService by name",
        .timeLimit(.minutes(15)))
    func besideAnInferenceService() async throws {
        let yaml =
            KServeClientTests.doubler(image: "local/native") + "\n---\n" + Self.llm("opt", ttft: 10, tpot: 10, maxRunning: 4, replicas: 1)
        try await ServeLiveTests.withRunningGateway(yaml, native: AgentLoggerTests.native) { port, gateway, _ in
            _ = try await Self.replicas(gateway, "opt", count: 1)
            // Off the cooperative pool: the raw client blocks.
            let byName = await withCheckedContinuation { continuation in
                Thread {
                    continuation.resume(
                        returning: Loopback.request(
                            port: port, host: "127.0.0.1", path: "/v1/models/doubler:predict",
                            headers: ["Content-Type": "application/json"], method: "POST", body: Array(#"{"instances": [[1, 2]]}"#.utf8)))
                }.start()
            }
            #expect(byName?.status == 200, "\(String(describing: byName?.body))")
            let llm = await SSEClient.post(
                port: port, host: "127.0.0.1", path: "/default/opt/v1/completions",
                body: StreamingServeTests.completion("opt", tokens: 2, stream: false))
            #expect(llm.status == 200, "\(llm.body)")
            // The InferenceService's JSON request is read for body-based routing and still answered.
            #expect(await AgentLoggerTests.post(port, headers: [:]).0 == 200)
        }
    }

    @Test(
        "the picker keeps a shared prefix on one replica until its queue outweighs the cache, then goes to the other",
        .timeLimit(.minutes(15)))
    func prefixThenQueue() async throws {
        // One request runs at a time on each replica (max-running 1) and takes 3 s.
        try await ServeLiveTests.withGateway(Self.llm("pick", ttft: 1000, tpot: 100, maxRunning: 1)) { port, gateway in
            let ports = try await Self.replicas(gateway, "pick")
            let prompt = String(repeating: "you are a helpful assistant. ", count: 12)
            let body = StreamingServeTests.completion("pick", tokens: 20, stream: false, prompt: prompt)
            let started = ContinuousClock.now
            func send() -> Task<(SSEClient.Result, Duration), Never> {
                Task {
                    let result = await SSEClient.post(port: port, host: "gateway.example", path: "/default/pick/v1/completions", body: body)
                    return (result, ContinuousClock.now - started)
                }
            }
            // 1st: cold, to one replica (A), where it runs. 2nd, same prompt: A holds the prefix
            // (3.0) against B's free KV cache (2.0): A, where it waits. 3rd: A's queue (1 waiting,
            // B none) tips it to B.
            let first = send()
            try await Task.sleep(for: .milliseconds(400))
            let second = send()
            try await Task.sleep(for: .milliseconds(400))
            let third = send()
            var ends: [Duration] = []
            for task in [first, second, third] {
                let (result, end) = await task.value
                #expect(result.status == 200)
                ends.append(end)
            }
            // The 2nd waited on A for the whole 1st (3 s); the 3rd ran beside them on B. (A least-request
            // balancer sends the 2nd to B: it ends 0.4 s after the 1st.)
            #expect(ends[1] - ends[0] >= .seconds(2), "ends: \(ends)")
            #expect(ends[2] < ends[1], "ends: \(ends)")
            let counts = await Self.finished(ports)
            #expect(counts.sorted() == [1, 2], "finished per replica: \(counts)")
        }
    }
}
