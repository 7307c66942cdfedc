import Foundation
import LoopbackSupport
import Testing

@testable import ISVCServe

/// A real KServe Python model server (the `kserve` package, a custom `kserve.Model`) as a process
/// replica, driven through `isvc serve` by tritonclient's HTTP client and KServe's InferenceRESTClient.
/// Needs `.venv-kserve` (scripts/install-test-tools makes it: `pip install kserve 'tritonclient[http]'`).
@Suite("KServe server and clients through isvc serve")
struct KServeClientTests {
    static let python = TestTools.root.appendingPathComponent(".venv-kserve/bin/python").path
    static let runs = TestTools.runs(with: TestTools.kservePython)
    static let missing = Comment(rawValue: "KServe's Python server (.venv-kserve) is \(TestTools.missing)")

    /// Runs a script with the venv's Python on a thread of its own; its exit status and standard output.
    static func run(_ arguments: [String]) async -> (status: Int32, output: String) {
        await TestTools.output(of: python, arguments)
    }

    @Test(
        "tritonclient (binary tensors) and InferenceRESTClient (V1 and V2) get the KServe server's answers",
        .enabled(if: runs, missing), .timeLimit(.minutes(15)))
    func clients() async throws {
        try #require(TestTools.kservePython != nil, Self.missing)
        let script = ServeLiveTests.root.appendingPathComponent("scripts/kserve-doubler.py").path
        let yaml = Self.doubler(
            image: "local/kserve-doubler",
            fields: [
                "command: [\(Self.python), \(script)]",
                #"args: [--model_name, doubler, --http_port, "8080", --enable_grpc, "false"]"#,
            ])
        try await ServeLiveTests.withGateway(yaml) { port, _ in try await Self.check(port: port) }
    }

    /// The InferenceService `doubler`: one container, with `image` and `fields` (more of the
    /// container's YAML, one line each).
    static func doubler(image: String, fields: [String] = []) -> String {
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: doubler
        spec:
          predictor:
            containers:
              - name: kserve-container
        """ + (["image: \(image)"] + fields).map { "\n        " + $0 }.joined()
    }

    /// Runs both clients against the gateway; the model `doubler` must double every number.
    static func check(port: Int) async throws {
        let clients = ServeLiveTests.root.appendingPathComponent("scripts/protocol-clients.py").path
        let (status, output) = await Self.run([clients, String(port), "doubler", "doubler.default.example.com"])
        #expect(status == 0, "\(output)")
        let result = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        #expect(result["triton_ready"] as? Bool == true)
        #expect(result["triton_metadata_name"] as? String == "doubler")
        #expect(result["triton_output"] as? [[Double]] == [[2.0, 5.0, -6.0]])
        #expect(result["kserve_v2_output"] as? [Double] == [8.0, 1.0])
        #expect(result["kserve_v2_ready"] as? Bool == true)
        #expect(result["kserve_v1_predictions"] as? [[Double]] == [[2, 4, 6]])
    }

    @Test(
        "the same clients against a model served in the gateway's process (the V1/V2 protocol layer)",
        .enabled(if: runs, missing), .timeLimit(.minutes(15)))
    func inProcess() async throws {
        try #require(TestTools.kservePython != nil, Self.missing)
        try await ServeLiveTests.withRunningGateway(
            Self.doubler(image: "local/native-doubler"),
            native: { workload, _ in
                workload.inferenceService == "doubler" ? [DoublingModel(name: "doubler")] : nil
            }
        ) { port, _, _ in try await Self.check(port: port) }
    }
}
