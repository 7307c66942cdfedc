import Foundation
import LoopbackSupport
import Testing

@testable import ISVCServe

/// Server-sent events through `isvc serve`, end to end: an InferenceService whose predictor runs
/// scripts/vllm-sim.py (a simulator of vLLM's OpenAI server) as a process replica; clients that time
/// each event as it arrives, through the gateway and directly to the replica.
@Suite("Streaming through serve", .serialized)
struct StreamingServeTests {
    static let simulator = TestTools.root.appendingPathComponent("scripts/vllm-sim.py").path

    /// An InferenceService named `name` serving the simulator as model `name`.
    static func llm(
        _ name: String, ttft: Int = 100, tpot: Int = 100, maxRunning: Int = 8, standard: Bool = false, timeout: Int? = nil
    ) -> String {
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: \(name)
        \(standard ? "  annotations: {serving.kserve.io/deploymentMode: Standard}" : "")
        spec:
          predictor:
        \(timeout.map { "    timeout: \($0)" } ?? "")
            containers:
              - name: kserve-container
                image: vllm/vllm-openai
                command: [python3, \(simulator)]
                args: ["--port", "$(PORT)", "--served-model-name", "\(name)", "--ttft-ms", "\(ttft)", "--tpot-ms", "\(tpot)",
                       "--max-running", "\(maxRunning)"]
        """
    }

    static func completion(_ model: String, tokens: Int = 5, stream: Bool = true, prompt: String = "tell me a story") -> String {
        #"{"model":"\#(model)","prompt":"\#(prompt)","max_tokens":\#(tokens),"stream":\#(stream)}"#
    }

    /// The external host of InferenceService `name` and its replica's port (bounded wait for it).
    static func endpoints(_ gateway: GatewayServer, _ name: String) async throws -> (host: String, replica: Int) {
        let host = try #require(gateway.plan.modelHosts[name])
        let runtime = try #require(gateway.runtimes.first { $0.key.hasPrefix("\(name)-predictor") }?.value)
        for _ in 0..<150 {
            if let port = await runtime.replicaPorts.first { return (host, port) }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(name) never had a replica")
        return (host, 0)
    }

    /// A counter of the simulator's /metrics, read from the replica directly.
    static func counter(_ replica: Int, _ name: String) async -> Int {
        let text = await RawHTTP.async(port: replica, host: "127.0.0.1", path: "/metrics").body
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Int(Double(line.split(separator: " ").last ?? "") ?? -1)
        }
        return -1
    }

    /// Waits up to `within` for the replica's cancelled count to reach `count`; the time it took.
    static func cancelled(_ replica: Int, reach count: Int, within: Duration) async -> Duration? {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < within {
            if await counter(replica, "isvc_sim_cancelled_total") >= count { return ContinuousClock.now - started }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Five completion chunks 100 ms apart, then `[DONE]`: what the simulator sends for `completion`.
    static func expectFiveChunks(_ r: SSEClient.Result, _ via: String) {
        #expect(r.status == 200, "\(via): \(r.status) \(r.body)")
        #expect(r.headers["content-type"]?.hasPrefix("text/event-stream") == true, "\(via): \(r.headers)")
        #expect(r.payloads.count == 6 && r.payloads.last == "[DONE]", "\(via): \(r.payloads)")
        #expect(r.complete, "\(via): the stream did not end as its framing says")
        let objects = r.objects
        #expect(objects.allSatisfy { $0["object"] as? String == "text_completion" }, "\(via)")
        #expect(objects.allSatisfy { ($0["id"] as? String)?.hasPrefix("cmpl-") == true }, "\(via)")
        let reasons = objects.map { (($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String) ?? "-" }
        #expect(reasons == ["-", "-", "-", "-", "length"], "\(via): \(reasons)")
        // The replica makes the 5 tokens over 0.5 s (100 ms to the first, 100 ms between): they must
        // arrive spread over at least 0.3 s. A gateway that buffered the answer delivers all at once.
        #expect(r.spread >= 0.3, "\(via): frames at \(r.events.map(\.at))")
        if let first = r.events.first?.at, let last = r.events.last?.at { #expect(first < last - 0.3, "\(via)") }
    }

    @Test(
        "SSE through the gateway: each frame reaches the client as the replica sends it (HTTP/1.1 and h2c), Knative and Standard mode",
        .timeLimit(.minutes(15)), arguments: [false, true])
    func streams(standard: Bool) async throws {
        try await ServeLiveTests.withGateway(Self.llm("llm", standard: standard)) { port, gateway in
            let (host, replica) = try await Self.endpoints(gateway, "llm")
            let body = Self.completion("llm")
            let direct = await SSEClient.post(port: replica, host: "127.0.0.1", path: "/v1/completions", body: body)
            Self.expectFiveChunks(direct, "direct")
            let gateway1 = await SSEClient.post(port: port, host: host, path: "/v1/completions", body: body)
            Self.expectFiveChunks(gateway1, "gateway HTTP/1.1")
            let gateway2 = try await SSEClient.postH2C(port: port, host: host, path: "/v1/completions", body: body)
            Self.expectFiveChunks(gateway2, "gateway h2c")
            let mode = standard ? "Standard" : "Knative"
            let timings = [("direct", direct), ("gateway HTTP/1.1", gateway1), ("gateway h2c", gateway2)]
                .map { "\($0.0) first \(Int(($0.1.events.first?.at ?? 0) * 1000)) ms, last \(Int(($0.1.events.last?.at ?? 0) * 1000)) ms" }
            print("streaming (\(mode) mode): " + timings.joined(separator: "; "))
            // Nothing is held once the streams ended: the queue-proxy's slots and the in-flight gauge.
            let runtime = try #require(gateway.runtimes.first { $0.key.hasPrefix("llm-predictor") }?.value)
            #expect(runtime.readyEndpoints.allSatisfy { $0.queue.active == 0 && $0.queue.pending == 0 })
        }
    }

    @Test(
        "chat streaming with include_usage, and answers that do not stream pass whole as before (Content-Length, errors, models)",
        .timeLimit(.minutes(15)))
    func chatAndWholeAnswers() async throws {
        try await ServeLiveTests.withGateway(Self.llm("chat", ttft: 20, tpot: 20)) { port, gateway in
            let (host, _) = try await Self.endpoints(gateway, "chat")
            let chat =
                #"{"model":"chat","messages":[{"role":"user","content":"hi there"}],"max_tokens":3,"stream":true,"#
                + #""stream_options":{"include_usage":true}}"#
            let streamed = await SSEClient.post(port: port, host: host, path: "/v1/chat/completions", body: chat)
            #expect(streamed.status == 200 && streamed.complete)
            let objects = streamed.objects
            #expect(
                objects.first.map { ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: String] } == [
                    "role": "assistant", "content": "",
                ])
            #expect(objects.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            let usage = objects.last?["usage"] as? [String: Int]
            #expect(usage == ["prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5], "\(streamed.payloads)")
            #expect(streamed.payloads.last == "[DONE]")

            let whole = await SSEClient.post(port: port, host: host, path: "/v1/completions", body: Self.completion("chat", stream: false))
            #expect(whole.status == 200 && whole.complete && whole.headers["content-length"] != nil, "\(whole.headers)")
            let json = try JSONSerialization.jsonObject(with: Data(whole.body.utf8)) as? [String: Any]
            #expect(json?["object"] as? String == "text_completion")
            #expect((json?["usage"] as? [String: Any])?["completion_tokens"] as? Int == 5)

            let unknown = await SSEClient.post(port: port, host: host, path: "/v1/completions", body: Self.completion("gpt-4"))
            #expect(unknown.status == 404)
            #expect(
                unknown.body
                    == #"{"error":{"message":"The model `gpt-4` does not exist.","type":"NotFoundError","param":"model","code":404}}"#)
            let models = await RawHTTP.async(port: port, host: host, path: "/v1/models")
            #expect(models.status == 200 && models.headers["content-length"] != nil)
            #expect(((models.json["data"] as? [[String: Any]])?.map { $0["id"] as? String }) == ["chat"])
        }
    }
}
