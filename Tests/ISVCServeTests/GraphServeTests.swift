import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore
@testable import ISVCServe

/// InferenceGraphs run by `isvc serve`: the router in process, each step through the gateway's
/// cluster-local listener to InferenceServices of the same run (native models here; a KServe Python
/// model server in the last test), with KServe's router semantics for every router type.
@Suite("InferenceGraph in serve")
struct GraphServeTests {
    /// Multiplies every number of every instance by `factor`.
    struct ScaleModel: InferenceModel {
        var name: String
        var factor: Double
        var ready = true
        var inputs = [TensorMetadata(name: "input-0", datatype: "FP32", shape: [-1, -1])]
        var outputs = [TensorMetadata(name: "output-0", datatype: "FP32", shape: [-1, -1])]

        func predict(instances: [Any]) throws(ProtocolError) -> [Any] {
            try instances.map { (row: Any) throws(ProtocolError) -> Any in
                guard let numbers = row as? [NSNumber] else { throw .badRequest("expected rows of numbers") }
                return numbers.map { $0.doubleValue * factor }
            }
        }

        func infer(_ inputs: consuming [Tensor]) throws(ProtocolError) -> [Tensor] { inputs }
    }

    static let native: WorkloadRuntime.NativeRuntime = { workload, _ in
        switch workload.inferenceService {
        case "double": [ScaleModel(name: "double", factor: 2)]
        case "triple": [ScaleModel(name: "triple", factor: 3)]
        default: nil
        }
    }

    static func isvc(_ name: String) -> String {
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: \(name)
        spec:
          predictor:
            containers:
              - name: kserve-container
                image: local/native-\(name)
        ---

        """
    }

    static func graph(_ name: String, _ nodes: String) -> String {
        """
        apiVersion: serving.kserve.io/v1alpha1
        kind: InferenceGraph
        metadata:
          name: \(name)
        spec:
          nodes:
        \(nodes)
        ---

        """
    }

    static let yaml =
        isvc("double") + isvc("triple")
        + graph(
            "chain",
            """
                root:
                  routerType: Sequence
                  steps:
                    - {name: first, serviceName: double}
                    - {name: second, serviceName: triple, data: $response, mapPredictionsToInstances: true}
            """)
        + graph(
            "picker",
            """
                root:
                  routerType: Switch
                  steps:
                    - {name: to-triple, serviceName: triple, condition: "[@this].#(model==triple)"}
                    - {name: to-both, nodeName: both, condition: "[@this].#(model==both)"}
                both:
                  routerType: Ensemble
                  steps:
                    - {name: d, serviceName: double}
                    - {name: t, serviceName: triple}
                    - {name: missing, serviceUrl: "http://double.default.svc.cluster.local/v1/models/nothing:predict"}
            """)
        + graph(
            "hard",
            """
                root:
                  routerType: Sequence
                  steps:
                    - {name: fails, serviceUrl: "http://double.default.svc.cluster.local/v1/models/nothing:predict", dependency: Hard}
                    - {name: never, serviceName: triple}
            """)
        + graph(
            "split",
            """
                root:
                  routerType: Splitter
                  steps:
                    - {serviceName: double, weight: 50}
                    - {serviceName: triple, weight: 50}
            """)

    static func post(_ port: Int, graph: String, _ body: String) async -> (status: Int, body: String, contentType: String?) {
        await withCheckedContinuation { continuation in
            Thread {
                let r = Loopback.request(
                    port: port, host: "\(graph).default.example.com", path: "/", method: "POST", body: Array(body.utf8))
                continuation.resume(returning: (r?.status ?? 0, r?.body ?? "", r?.headers["content-type"]))
            }.start()
        }
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test("every router type answers as KServe's router does, each step through the gateway", .timeLimit(.minutes(15)))
    func routerTypes() async throws {
        try await ServeLiveTests.withRunningGateway(Self.yaml, native: Self.native) { port, gateway, _ in
            // Sequence: double, then triple on double's predictions as instances.
            let chain = await Self.post(port, graph: "chain", #"{"instances": [[1, 2]]}"#)
            #expect(chain.status == 200, "\(chain.body)")
            #expect(Self.json(chain.body)["predictions"] as? [[Double]] == [[6, 12]], "\(chain.body)")
            #expect(chain.contentType == "application/json")

            // Switch to one step; to a nested Ensemble node (a Soft step's 404 is merged, not returned).
            let tripled = await Self.post(port, graph: "picker", #"{"model": "triple", "instances": [[1]]}"#)
            #expect(Self.json(tripled.body)["predictions"] as? [[Double]] == [[3]], "\(tripled.body)")
            let both = await Self.post(port, graph: "picker", #"{"model": "both", "instances": [[1]]}"#)
            #expect(both.status == 200, "\(both.body)")
            let merged = Self.json(both.body)
            #expect((merged["d"] as? [String: Any])?["predictions"] as? [[Double]] == [[2]], "\(both.body)")
            #expect((merged["t"] as? [String: Any])?["predictions"] as? [[Double]] == [[3]], "\(both.body)")
            #expect(merged["missing"] is [String: Any], "\(both.body)")
            let none = await Self.post(port, graph: "picker", #"{"model": "other"}"#)
            #expect(none.status == 404)
            #expect(none.body == #"{"error":"Failed to process request","cause":"None of the routes matched with the switch condition"}"#)

            // A Hard step's failure ends the Sequence with its status and body.
            let hard = await Self.post(port, graph: "hard", #"{"instances": [[1]]}"#)
            #expect(hard.status == 404, "\(hard.body)")

            // The Splitter sends each request to one step, about half to each.
            var seen: [Double: Int] = [:]
            for _ in 0..<40 {
                let answer = await Self.post(port, graph: "split", #"{"instances": [[1]]}"#)
                if let p = (Self.json(answer.body)["predictions"] as? [[Double]])?.first?.first { seen[p, default: 0] += 1 }
            }
            #expect(seen[2, default: 0] > 0 && seen[3, default: 0] > 0 && seen.values.reduce(0, +) == 40, "\(seen)")

            // Every step went through the gateway to the models' workloads.
            let metrics = gateway.metrics.exposition()
            for workload in ["double-predictor-00001", "triple-predictor-00001", "chain-00001", "split-00001"] {
                let line = "requests_total{workload=\"" + workload + "\",code=\"200\"}"
                #expect(metrics.contains(line), "\(workload): \(metrics.prefix(3000))")
            }
            #expect(
                metrics.contains(
                    "graph_step_calls_total{workload=\"hard-00001\",host=\"double.default.svc.cluster.local\",code=\"404\"} 1"),
                "\(metrics)")
        }
    }

    @Test(
        "a KServe Python model server is a step like any other: double in process, then KServe's doubler",
        .enabled(if: KServeClientTests.runs, KServeClientTests.missing), .timeLimit(.minutes(15)))
    func kservePythonStep() async throws {
        let script = ServeLiveTests.root.appendingPathComponent("scripts/kserve-doubler.py").path
        let yaml =
            Self.isvc("double")
            + KServeClientTests.doubler(
                image: "local/kserve-doubler",
                fields: [
                    "command: [\(KServeClientTests.python), \(script)]",
                    #"args: [--model_name, doubler, --http_port, "8080", --enable_grpc, "false"]"#,
                ]) + "\n---\n"
            + Self.graph(
                "python-chain",
                """
                    root:
                      routerType: Sequence
                      steps:
                        - {serviceName: double}
                        - {serviceName: doubler, data: $response, mapPredictionsToInstances: true}
                """)
        try await ServeLiveTests.withRunningGateway(yaml, native: Self.native) { port, _, _ in
            let answer = await Self.post(port, graph: "python-chain", #"{"instances": [[1, 2]]}"#)
            #expect(answer.status == 200, "\(answer.body)")
            #expect(Self.json(answer.body)["predictions"] as? [[Double]] == [[4, 8]], "\(answer.body)")
        }
    }

    @Test(
        "Standard mode: the graph is called at its Service's cluster host, its steps reach the predictors' Services",
        .timeLimit(.minutes(15)))
    func standardMode() async throws {
        let standard = Self.yaml.replacingOccurrences(
            of: "metadata:\n  name:", with: "metadata:\n  annotations: {serving.kserve.io/deploymentMode: Standard}\n  name:")
        try await ServeLiveTests.withRunningGateway(standard, native: Self.native) { port, gateway, _ in
            #expect(gateway.plan.workloads["chain.default.svc.cluster.local"]?.graph != nil)
            let answer: Loopback.Response? = await withCheckedContinuation { continuation in
                Thread {
                    continuation.resume(
                        returning: Loopback.request(
                            port: port, host: "chain.default.svc.cluster.local", path: "/", method: "POST",
                            body: Array(#"{"instances": [[1, 2]]}"#.utf8)))
                }.start()
            }
            #expect(answer?.status == 200, "\(answer?.body ?? "")")
            #expect(Self.json(answer?.body ?? "")["predictions"] as? [[Double]] == [[6, 12]], "\(answer?.body ?? "")")
            #expect(!gateway.plan.warnings.contains { $0.contains("InferenceGraph") }, "\(gateway.plan.warnings)")
        }
    }

    @Test("a step to a host nobody serves fails the graph with the router's error body", .timeLimit(.minutes(15)))
    func unreachableStep() async throws {
        let yaml = Self.graph(
            "lost",
            """
                root:
                  routerType: Sequence
                  steps:
                    - {serviceUrl: "http://127.0.0.1:1/v1/models/x:predict"}
            """)
        try await ServeLiveTests.withRunningGateway(yaml, native: Self.native) { port, gateway, _ in
            let answer = await Self.post(port, graph: "lost", #"{"instances": [[1]]}"#)
            #expect(answer.status == 500)
            let body = Self.json(answer.body)
            #expect(body["error"] as? String == "Failed to process request")
            #expect((body["cause"] as? String)?.hasPrefix(#"Post "http://127.0.0.1:1/v1/models/x:predict": "#) == true, "\(answer.body)")
            #expect(
                gateway.metrics.exposition().contains("graph_step_calls_total{workload=\"lost-00001\",host=\"127.0.0.1\",code=\"error\"} 1")
            )
        }
    }
}
