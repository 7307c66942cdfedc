import Foundation
import LoopbackSupport
import NIOConcurrencyHelpers
import Testing

@testable import ISVCServe

/// The agent's batcher: grouping and each caller's slice with a stand-in model server (no sockets),
/// KServe's answers for bad bodies and failed batches, then concurrent callers through the gateway.
@Suite("Agent: the batcher")
struct AgentBatcherTests {
    /// A model server that doubles every number and records the batches it is sent.
    final class Doubler: Sendable {
        let batches = NIOLockedValueBox<[Int]>([])
        let status: Int

        init(status: Int = 200) { self.status = status }

        func send(path: String, body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
            let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            let instances = object?["instances"] as? [[Double]] ?? []
            batches.withLockedValue { $0.append(instances.count) }
            let predictions = instances.map { $0.map { $0 * 2 } }
            let answer = try JSONSerialization.data(withJSONObject: ["predictions": predictions])
            return (status, status == 200 ? Array(answer) : Array("model failed".utf8))
        }
    }

    static func batcher(_ model: Doubler, size: Int, latencyMs: Int) -> RequestBatcher {
        RequestBatcher(settings: .init(maxBatchSize: size, maxLatencyMilliseconds: latencyMs)) { path, body in
            try await model.send(path: path, body: body)
        }
    }

    static func json(_ reply: RequestBatcher.Reply) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any] ?? [:]
    }

    @Test("callers that fill a batch are sent as one request and each gets its own predictions")
    func grouping() async throws {
        let model = Doubler()
        let batcher = Self.batcher(model, size: 4, latencyMs: 10_000)
        let replies = await withTaskGroup(of: (Int, RequestBatcher.Reply).self) { group in
            for i in 1...4 {
                group.addTask { (i, await batcher.submit(path: "/v1/models/m:predict", body: Array("{\"instances\": [[\(i)]]}".utf8))) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(model.batches.withLockedValue { $0 } == [4])
        var ids: Set<String> = []
        for i in 1...4 {
            let reply = try #require(replies[i])
            #expect(reply.status == 200)
            #expect(reply.headers.first?.1 == "text/plain; charset=utf-8")
            let body = Self.json(reply)
            #expect(body["message"] as? String == "")
            #expect(body["predictions"] as? [[Double]] == [[Double(2 * i)]])
            ids.insert(body["batchId"] as? String ?? "")
        }
        #expect(ids.count == 1 && ids.first?.count == 36)
    }

    @Test("a request is never split: a batch may hold more than maxBatchSize; a lone request waits for maxLatency")
    func sizeAndLatency() async throws {
        let model = Doubler()
        let batcher = Self.batcher(model, size: 2, latencyMs: 200)
        let big = await batcher.submit(path: "/v1/models/m:predict", body: Array(#"{"instances": [[1], [2], [3]]}"#.utf8))
        #expect(Self.json(big)["predictions"] as? [[Double]] == [[2], [4], [6]])
        let started = ContinuousClock.now
        let lone = await batcher.submit(path: "/v1/models/m:predict", body: Array(#"{"instances": [[5]], "parameters": {"x": 1}}"#.utf8))
        let waited = ContinuousClock.now - started
        #expect(Self.json(lone)["predictions"] as? [[Double]] == [[10]])
        #expect(waited >= .milliseconds(190), "\(waited)")
        #expect(model.batches.withLockedValue { $0 } == [3, 1])
    }

    @Test("KServe's answers: a body that is not JSON, no instances, a failed batch, a wrong number of predictions")
    func failures() async throws {
        let batcher = Self.batcher(Doubler(), size: 1, latencyMs: 10)
        let notJSON = await batcher.submit(path: "/p:predict", body: Array("instances=1".utf8))
        #expect(notJSON.status == 400 && notJSON.body == Array("can't Unmarshal body\n".utf8))
        #expect(notJSON.headers.contains { $0 == ("X-Content-Type-Options", "nosniff") })
        for empty in [#"{"instances": []}"#, #"{"inputs": []}"#, "null"] {
            let reply = await batcher.submit(path: "/p:predict", body: Array(empty.utf8))
            #expect(reply.status == 400 && reply.body == Array("no instances in the request\n".utf8), "\(empty)")
        }
        let failing = Self.batcher(Doubler(status: 500), size: 1, latencyMs: 10)
        let failed = await failing.submit(path: "/p:predict", body: Array(#"{"instances": [[1]]}"#.utf8))
        #expect(String(decoding: failed.body, as: UTF8.self) == #"{"message":"model failed","batchId":"","predictions":null}"#)
        let short = RequestBatcher(settings: .init(maxBatchSize: 1, maxLatencyMilliseconds: 10)) { _, _ in
            (200, Array(#"{"predictions": []}"#.utf8))
        }
        let mismatch = Self.json(await short.submit(path: "/p:predict", body: Array(#"{"instances": [[1]]}"#.utf8)))
        #expect(mismatch["message"] as? String == "size of prediction is not equal to the size of instances")
        #expect(mismatch["predictions"] is NSNull)
        #expect(!RequestBatcher.batches(path: "/v2/models/m/infer") && RequestBatcher.batches(path: "/v1/models/m:predict?x=1"))
    }

    @Test("Go's JSON both ways: instances re-encoded as Go writes them, predictions decoded as Go decodes them")
    func goJSON() async throws {
        let sentBody = NIOLockedValueBox<String>("")
        let answer = #"{"Predictions": [1e-5, 1152921504606846976, "<&>\b", {"b": 1, "a": 2.50}], "x": 1e400}"#
        let batcher = RequestBatcher(settings: .init(maxBatchSize: 1, maxLatencyMilliseconds: 10)) { _, body in
            sentBody.withLockedValue { $0 = String(decoding: body, as: UTF8.self) }
            return (200, Array(answer.utf8))
        }
        let request =
            #"{"INSTANCES": [1e-7, 1152921504606846976, "\u2028", {"z": [], "a": null}], "instances": null, "instanceſ": [1, 2, 3, 4]}"#
        let reply = await batcher.submit(path: "/v1/models/m:predict", body: Array(request.utf8))
        #expect(sentBody.withLockedValue { $0 } == #"{"instances":[1,2,3,4]}"#)
        let text = String(decoding: reply.body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"message":"","batchId":""#), "\(text)")
        #expect(text.hasSuffix(#","predictions":[0.00001,1152921504606847000,"\u003c\u0026\u003e\b",{"a":2.5,"b":1}]}"#), "\(text)")
        let second = await batcher.submit(
            path: "/v1/models/m:predict", body: Array(#"{"instances": [1e-7, 1152921504606846976, "\u2028", {"z": [], "a": null}]}"#.utf8))
        #expect(sentBody.withLockedValue { $0 } == #"{"instances":[1e-7,1152921504606847000,"\u2028",{"a":null,"z":[]}]}"#)
        #expect(second.status == 200)
        for bad in [#"{"instances": 5}"#, #"{"instances": [1e400]}"#, "[[1]]", #"{"instances": [1],}"#] {
            let refused = await batcher.submit(path: "/p:predict", body: Array(bad.utf8))
            #expect(refused.status == 400 && refused.body == Array("can't Unmarshal body\n".utf8), "\(bad)")
        }
        for (body, message) in [
            (
                #"{"predictions": "x"}"#,
                "json: cannot unmarshal string into Go struct field PredictionResponse.predictions of type []interface {}"
            ),
            (
                #"{"predictions": [1e400]}"#,
                "json: cannot unmarshal number 1e400 into Go struct field PredictionResponse.predictions of type float64"
            ),
            ("[1]", "json: cannot unmarshal array into Go value of type batcher.PredictionResponse"),
            ("Not JSON", "invalid character 'N' looking for beginning of value"),
        ] {
            let replies = RequestBatcher.replies([1], total: 1, answer: (200, Array(body.utf8)))
            let object = Self.json(replies[0])
            #expect(object["message"] as? String == message)
            #expect((object["batchId"] as? String)?.count == 36 && object["predictions"] is NSNull)
        }
        let invalidUTF8 = RequestBatcher.replies([1], total: 1, answer: (500, [0x6F, 0x6B, 0xFF, 0x3C]))
        #expect(String(decoding: invalidUTF8[0].body, as: UTF8.self) == #"{"message":"ok\ufffd\u003c","batchId":"","predictions":null}"#)
    }

    @Test(
        "through the gateway: concurrent callers are batched at the replica and each gets exactly its own answer",
        .timeLimit(.minutes(15)))
    func live() async throws {
        let sizes = NIOLockedValueBox<[Int]>([])
        try await ServeLiveTests.withRunningGateway(
            Self.batchedDoubler(container: ["image: local/native-doubler"]),
            native: { _, _ in [RecordingDoubler(name: "doubler", sizes: sizes)] }
        ) { port, gateway, _ in
            let answers = await Self.concurrentCallers(port: port, count: 12)
            for (i, status, body) in answers {
                #expect(status == 200, "\(body)")
                let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                #expect(object?["predictions"] as? [[Double]] == [[Double(2 * i)]], "\(i): \(body)")
            }
            let seen = sizes.withLockedValue { $0 }
            #expect(seen.reduce(0, +) == 12, "\(seen)")
            #expect(seen.contains { $0 > 1 }, "the replica saw no batch: \(seen)")
            #expect(gateway.metrics.exposition().contains(#"batcher_instances_total{workload="doubler-predictor-00001"} 12"#))
        }
    }
}

extension AgentBatcherTests {
    /// The InferenceService `doubler` with a batcher of 4 instances or 500 ms; `container` holds the
    /// container's fields, one YAML line each.
    static func batchedDoubler(container: [String]) -> String {
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: doubler
        spec:
          predictor:
            batcher:
              maxBatchSize: 4
              maxLatency: 500
            containers:
              - name: kserve-container
        """ + container.map { "\n        " + $0 }.joined()
    }

    /// `count` callers at once, caller i sending `[[i]]`: (i, status, body) each.
    static func concurrentCallers(port: Int, count: Int, headers: [String: String] = [:]) async -> [(Int, Int, String)] {
        await withTaskGroup(of: (Int, Int, String).self) { group in
            for i in 1...count {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        Thread {
                            let r = Loopback.request(
                                port: port, host: "doubler.default.example.com", path: "/v1/models/doubler:predict",
                                headers: headers, method: "POST", body: Array("{\"instances\": [[\(i)]]}".utf8))
                            continuation.resume(returning: (i, r?.status ?? 0, r?.body ?? ""))
                        }.start()
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test(
        "a KServe Python model server as the batched replica: fewer calls than callers, each caller its own answer",
        .enabled(if: KServeClientTests.runs, KServeClientTests.missing), .timeLimit(.minutes(15)))
    func kservePython() async throws {
        let script = ServeLiveTests.root.appendingPathComponent("scripts/kserve-doubler.py").path
        let yaml = Self.batchedDoubler(container: [
            "image: local/kserve-doubler", "command: [\(KServeClientTests.python), \(script)]",
            #"args: [--model_name, doubler, --http_port, "8080", --enable_grpc, "false", --call-cost-ms, "50"]"#,
        ])
        try await ServeLiveTests.withRunningGateway(yaml) { port, gateway, _ in
            let answers = await Self.concurrentCallers(port: port, count: 8, headers: ["Content-Type": "application/json"])
            for (i, status, body) in answers {
                #expect(status == 200, "\(body)")
                let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                #expect(object?["predictions"] as? [[Double]] == [[Double(2 * i)]], "\(i): \(body)")
            }
            let metrics = gateway.metrics.exposition()
            #expect(metrics.contains(#"batcher_instances_total{workload="doubler-predictor-00001"} 8"#), "\(metrics)")
            let batches = metrics.split(separator: "\n").filter {
                $0.hasPrefix("isvc_batcher_batches_total{") || $0.hasPrefix("batcher_batches_total{")
            }
            .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
            #expect(batches > 0 && batches < 8, "batches: \(batches)")
        }
    }
}

/// A native model that doubles every number and records how many instances each call had.
struct RecordingDoubler: InferenceModel {
    var name: String
    let sizes: NIOLockedValueBox<[Int]>
    var ready = true
    var inputs = [TensorMetadata(name: "input-0", datatype: "FP32", shape: [-1, -1])]
    var outputs = [TensorMetadata(name: "output-0", datatype: "FP32", shape: [-1, -1])]

    func predict(instances: [Any]) throws(ProtocolError) -> [Any] {
        sizes.withLockedValue { $0.append(instances.count) }
        return try DoublingModel(name: name).predict(instances: instances)
    }

    func infer(_ inputs: consuming [Tensor]) throws(ProtocolError) -> [Tensor] {
        try DoublingModel(name: name).infer(inputs)
    }
}
