import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore
@testable import ISVCServe

/// KServe's agent as a model puller in `isvc serve`: a multi-model predictor's TrainedModels are
/// downloaded over HTTP (a local file server) and loaded into the native scikit-learn runtime, one
/// replica serving several models, each answering by its own name as scikit-learn predicts.
@Suite("Agent: the model puller")
struct AgentPullerTests {
    /// Python's http.server on 127.0.0.1 over fixtures/models, stopped by PID.
    final class FileServer: @unchecked Sendable {
        let process = Process()
        let port = ProcessReplica.freePort()

        init(directory: URL = TestTools.root.appendingPathComponent("fixtures/models")) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory.path,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 {
                if Loopback.request(port: port, host: "127.0.0.1", path: "/")?.status == 200 { return }
                usleep(50_000)
            }
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    static func yaml(port: Int) -> String {
        func model(_ name: String, _ dir: String) -> String {
            """
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: TrainedModel
            metadata:
              name: \(name)
            spec:
              inferenceService: sklearn-mms
              model:
                storageUri: http://127.0.0.1:\(port)/\(dir)/model.joblib
                framework: sklearn
                memory: 256Mi

            """
        }
        return """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: sklearn-mms
            spec:
              predictor:
                model:
                  modelFormat:
                    name: sklearn
                  resources:
                    limits:
                      memory: 1Gi

            """ + model("iris-svc", "sklearn-iris-svc") + model("iris-tree", "sklearn-iris-tree")
                + model("missing", "no-such-model")
    }

    static func expected(_ dir: String) throws -> (rows: [[Double]], predictions: [Int]) {
        let data = try Data(contentsOf: TestTools.root.appendingPathComponent("fixtures/models/\(dir).expected.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(object["rows"] as? [[Double]])
        let predictions = try #require((object["predict"] as? [String: Any])?["data"] as? [Int])
        return (rows, predictions)
    }

    static func predict(_ port: Int, model: String, rows: [[Double]]) async -> (Int, String) {
        let body = (try? JSONSerialization.data(withJSONObject: ["instances": rows])) ?? Data()
        return await withCheckedContinuation { continuation in
            Thread {
                let r = Loopback.request(
                    port: port, host: "sklearn-mms.default.example.com", path: "/v1/models/\(model):predict", method: "POST",
                    body: Array(body))
                continuation.resume(returning: (r?.status ?? 0, r?.body ?? ""))
            }.start()
        }
    }

    @Test(
        "TrainedModels are downloaded and loaded into one native replica, each answering as scikit-learn predicts",
        .timeLimit(.minutes(15)))
    func nativeMultiModel() async throws {
        let files = try FileServer()
        defer { files.stop() }
        try await ServeLiveTests.withRunningGateway(Self.yaml(port: files.port), native: NativeRuntimes.hook) { port, gateway, _ in
            for (model, dir) in [("iris-svc", "sklearn-iris-svc"), ("iris-tree", "sklearn-iris-tree")] {
                let expected = try Self.expected(dir)
                let (status, body) = await Self.predict(port, model: model, rows: expected.rows)
                #expect(status == 200, "\(model): \(body)")
                let answer = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                #expect(answer?["predictions"] as? [Int] == expected.predictions, "\(model): \(body)")
            }
            // A model whose download failed is not loaded: the model server does not know it.
            let (status, _) = await Self.predict(port, model: "missing", rows: [[1, 2, 3, 4]])
            #expect(status == 404)
            // One replica serves them all, and the plan no longer warns that the puller does not run.
            let plan = gateway.plan
            #expect(!plan.warnings.contains { $0.contains("puller") }, "\(plan.warnings)")
            let workload = try #require(plan.workloads.values.first { $0.inferenceService == "sklearn-mms" })
            #expect(workload.pulledModels.map(\.name) == ["iris-svc", "iris-tree", "missing"])
            #expect(plan.modelHosts["iris-svc"] == "sklearn-mms.default.example.com")
        }
    }

    @Test(
        "a KServe Python multi-model server gets the agent's load call for each downloaded TrainedModel",
        .enabled(if: KServeClientTests.runs, KServeClientTests.missing), .timeLimit(.minutes(15)))
    func processMultiModel() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-puller-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, factor) in [("times3", "3"), ("times5", "5")] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(name), withIntermediateDirectories: true)
            try Data(factor.utf8).write(to: dir.appendingPathComponent("\(name)/factor.txt"))
        }
        let files = try FileServer(directory: dir)
        defer { files.stop() }
        let script = ServeLiveTests.root.appendingPathComponent("scripts/kserve-doubler.py").path
        var yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: sklearn-mms
            spec:
              predictor:
                containers:
                  - name: kserve-container
                    image: local/kserve-multi-model
                    command: [\(KServeClientTests.python), \(script)]
                    args: [--multi-model, --model_dir, /mnt/models, --http_port, "8080", --enable_grpc, "false"]
                    env: [{name: MULTI_MODEL_SERVER, value: "true"}]
                    resources: {limits: {memory: 1Gi}}

            """
        for name in ["times3", "times5"] {
            yaml += """
                ---
                apiVersion: serving.kserve.io/v1alpha1
                kind: TrainedModel
                metadata: {name: \(name)}
                spec:
                  inferenceService: sklearn-mms
                  model: {storageUri: "http://127.0.0.1:\(files.port)/\(name)/factor.txt", framework: custom, memory: 64Mi}

                """
        }
        try await ServeLiveTests.withRunningGateway(yaml) { port, _, _ in
            for (name, factor) in [("times3", 3.0), ("times5", 5.0)] {
                let body = Array(#"{"instances": [[1, 2]]}"#.utf8)
                let r: Loopback.Response? = await withCheckedContinuation { continuation in
                    Thread {
                        continuation.resume(
                            returning: Loopback.request(
                                port: port, host: "sklearn-mms.default.example.com", path: "/v1/models/\(name):predict",
                                headers: ["Content-Type": "application/json"], method: "POST", body: body))
                    }.start()
                }
                #expect(r?.status == 200, "\(name): \(r?.body ?? "")")
                let answer = (try? JSONSerialization.jsonObject(with: Data((r?.body ?? "").utf8))) as? [String: Any]
                #expect(answer?["predictions"] as? [[Double]] == [[factor, 2 * factor]], "\(name): \(r?.body ?? "")")
            }
        }
    }
}
