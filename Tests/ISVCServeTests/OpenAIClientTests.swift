import Foundation
import LoopbackSupport
import Testing

@testable import ISVCServe

/// The official `openai` Python client (scripts/openai-client.py) against the vLLM simulator through
/// `isvc serve`'s gateway: models, completions and chat completions, streamed and not.
/// Needs `.venv-openai` (scripts/install-test-tools makes it).
@Suite("openai client through isvc serve")
struct OpenAIClientTests {
    static let runs = TestTools.runs(with: TestTools.openaiPython)
    static let missing = Comment(rawValue: "the openai client (.venv-openai) is \(TestTools.missing)")

    /// The script's JSON report, run with the venv's Python on a thread of its own.
    static func run(_ arguments: [String]) async -> (status: Int32, output: String) {
        guard let python = TestTools.openaiPython else { return (-1, "no .venv-openai") }
        return await TestTools.output(of: python, arguments)
    }

    @Test(
        "the openai client streams (chunk by chunk, as the replica makes them) and does not stream through the gateway",
        .enabled(if: runs, missing), .timeLimit(.minutes(15)))
    func openaiClient() async throws {
        try #require(TestTools.openaiPython != nil, Self.missing)
        let script = TestTools.root.appendingPathComponent("scripts/openai-client.py").path
        try await ServeLiveTests.withGateway(StreamingServeTests.llm("opt", ttft: 100, tpot: 100)) { port, gateway in
            let (host, _) = try await StreamingServeTests.endpoints(gateway, "opt")
            let (status, output) = await Self.run([script, "http://127.0.0.1:\(port)/v1", "opt", host])
            #expect(status == 0, "\(output)")
            let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
            #expect(report["models"] as? [String] == ["opt"])
            let completion = report["completion"] as? [String: Any] ?? [:]
            let text = completion["text"] as? String ?? ""
            #expect(text.split(separator: " ").count == 5 && completion["finish_reason"] as? String == "length", "\(completion)")
            #expect((completion["id"] as? String)?.hasPrefix("cmpl-") == true)
            #expect((report["chat"] as? [String: Any])?["text"] as? String == text)
            // Streamed, the same text arrives in pieces, spread as the replica made them (100 ms apart).
            for name in ["completion_stream", "chat_stream"] {
                let stream = report[name] as? [String: Any] ?? [:]
                #expect(stream["text"] as? String == text, "\(name): \(stream)")
                let times = stream["times"] as? [Double] ?? []
                #expect(times.count >= 5, "\(name): \(times)")
                #expect((times.last ?? 0) - (times.first ?? 0) >= 0.3, "\(name): chunks arrived at \(times)")
            }
            let usage = (report["chat_stream"] as? [String: Any])?["usage"] as? [String: Any]
            #expect(usage?["completion_tokens"] as? Int == 5, "\(String(describing: usage))")
            let unknown = report["unknown"] as? [String: Any] ?? [:]
            #expect(unknown["status"] as? Int == 404)
            #expect(unknown["message"] as? String == "The model `no-such-model` does not exist.")
        }
    }
}
