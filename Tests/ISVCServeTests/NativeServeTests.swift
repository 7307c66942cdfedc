import Foundation
import ISVCCore
import ISVCModels
import ISVCServe
import LoopbackSupport
import Testing

/// `isvc serve` answering KServe's sklearn, xgboost and lightgbm runtimes in process, through the
/// gateway, the activator and the queue-proxy, as their Python servers answer.
@Suite("Native runtimes in isvc serve")
struct NativeServeTests {
    static let fixtures = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("fixtures/models")

    static func isvc(_ name: String, format: String, model: String, env: [String: String] = [:]) -> String {
        let envYAML =
            env.isEmpty
            ? "" : "\n      env:\n" + env.map { "        - name: \($0.key)\n          value: \"\($0.value)\"" }.joined(separator: "\n")
        return """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: \(name)
            spec:
              predictor:
                model:
                  modelFormat:
                    name: \(format)
                  storageUri: \(fixtures.appendingPathComponent(model).path)\(envYAML)
            """
    }

    static func post(_ port: Int, host: String, path: String, _ json: String) async -> (Int, [String: Any], String) {
        await withCheckedContinuation { continuation in
            Thread {
                let r = Loopback.request(
                    port: port, host: host, path: path, headers: ["Content-Type": "application/json"],
                    method: "POST", body: Array(json.utf8))
                let body = r?.body ?? ""
                let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
                continuation.resume(returning: (r?.status ?? 0, object, body))
            }.start()
        }
    }

    @Test(
        "sklearn-iris (KServe's example SVC): V1 predict, V2 infer and metadata, sklearn's error on a wrong feature count",
        .timeLimit(.minutes(15)))
    func sklearnIris() async throws {
        try await ServeLiveTests.withRunningGateway(
            Self.isvc("sklearn-iris", format: "sklearn", model: "sklearn-iris-svc"),
            native: NativeRuntimes.hook
        ) { port, _, _ in
            let host = "sklearn-iris.default.example.com"
            let v1 = await Self.post(
                port, host: host, path: "/v1/models/sklearn-iris:predict",
                #"{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6], [5.1, 3.5, 1.4, 0.2]]}"#)
            #expect(v1.0 == 200, "\(v1.2)")
            #expect(v1.1["predictions"] as? [Int] == [1, 1, 0])
            let v2 = await Self.post(
                port, host: host, path: "/v2/models/sklearn-iris/infer",
                #"{"id": "7", "inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "data": [6.8, 2.8, 4.8, 1.4, 5.1, 3.5, 1.4, 0.2]}]}"#
            )
            #expect(v2.0 == 200, "\(v2.2)")
            #expect(v2.1["id"] as? String == "7")
            let output = try #require((v2.1["outputs"] as? [[String: Any]])?.first)
            #expect(output["name"] as? String == "output-0")
            #expect(output["datatype"] as? String == "INT64")
            #expect(output["shape"] as? [Int] == [2])
            #expect(output["data"] as? [Int] == [1, 0])
            let meta = await ServeLiveTests.get(port, host: host, path: "/v2/models/sklearn-iris")
            let metadata = try #require(try JSONSerialization.jsonObject(with: Data(meta.1.utf8)) as? [String: Any])
            #expect((metadata["inputs"] as? [[String: Any]])?.first?["shape"] as? [Int] == [-1, 4])
            #expect((metadata["outputs"] as? [[String: Any]])?.first?["datatype"] as? String == "INT64")
            let bad = await Self.post(port, host: host, path: "/v1/models/sklearn-iris:predict", #"{"instances": [[1, 2, 3]]}"#)
            #expect(bad.0 == 500)
            #expect(bad.1["error"] as? String == "X has 3 features, but SVC is expecting 4 features as input.")
        }
    }

    @Test("PREDICT_PROBA=true in the predictor's env answers predict_proba, as sklearnserver does", .timeLimit(.minutes(15)))
    func predictProba() async throws {
        let expected =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.fixtures.appendingPathComponent("sklearn-iris-logreg.expected.json"))) as? [String: Any]
        let rows = try #require(expected?["rows"] as? [[Double]])
        let proba = try #require((expected?["predict_proba"] as? [String: Any])?["data"] as? [Double])
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["instances": Array(rows.prefix(2))]), as: UTF8.self)
        try await ServeLiveTests.withRunningGateway(
            Self.isvc("iris", format: "sklearn", model: "sklearn-iris-logreg", env: ["PREDICT_PROBA": "TRUE"]),
            native: NativeRuntimes.hook
        ) { port, _, _ in
            let answer = await Self.post(port, host: "iris.default.example.com", path: "/v1/models/iris:predict", body)
            #expect(answer.0 == 200, "\(answer.2)")
            let got = try #require(answer.1["predictions"] as? [[Double]])
            #expect(got.count == 2 && got.allSatisfy { $0.count == 3 })
            for (a, b) in zip(got.flatMap { $0 }, proba.prefix(6)) { #expect(abs(a - b) <= 1e-6 * max(abs(b), 1e-9)) }
        }
    }

    @Test(
        "xgboost and lightgbm InferenceServices answer Booster.predict through the gateway", .timeLimit(.minutes(15)),
        arguments: [("xgboost", "xgboost-iris-softprob"), ("lightgbm", "lightgbm-cancer-binary")])
    func boosters(format: String, model: String) async throws {
        let expected =
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("\(model).expected.json")))
            as? [String: Any]
        let rows = try #require(expected?["rows"] as? [[Any]])
        let predicted = try #require((expected?["predict"] as? [String: Any])?["data"] as? [Double])
        let perRow = predicted.count / rows.count
        // V1 JSON has no NaN: null stands for a missing value, as numpy makes it NaN.
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["instances": Array(rows.prefix(3))]), as: UTF8.self)
        try await ServeLiveTests.withRunningGateway(Self.isvc("m", format: format, model: model), native: NativeRuntimes.hook) {
            port, _, _ in
            let answer = await Self.post(port, host: "m.default.example.com", path: "/v1/models/m:predict", body)
            #expect(answer.0 == 200, "\(answer.2)")
            let got = (answer.1["predictions"] as? [Any] ?? []).flatMap { ($0 as? [Double]) ?? [($0 as? Double) ?? .nan] }
            #expect(got.count == 3 * perRow)
            for (a, b) in zip(got, predicted.prefix(3 * perRow)) { #expect(abs(a - b) <= 1e-6 * max(abs(b), 1e-9), "\(a) vs \(b)") }
        }
    }

    @Test("a pickle that would run a shell command never loads: the request gets the reason, nothing runs", .timeLimit(.minutes(15)))
    func hostileModel() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("hostile/os-system.pkl"), to: work.appendingPathComponent("model.pkl"))
        let yaml = Self.isvc("evil", format: "sklearn", model: "x").replacingOccurrences(
            of: Self.fixtures.appendingPathComponent("x").path, with: work.path)
        try await ServeLiveTests.withRunningGateway(yaml, native: NativeRuntimes.hook) { port, _, _ in
            let answer = await Self.post(port, host: "evil.default.example.com", path: "/v1/models/evil:predict", #"{"instances": [[1]]}"#)
            #expect(answer.0 == 503, "\(answer.2)")
            #expect(answer.2.contains("posix.system"), "\(answer.2)")
        }
        #expect(!FileManager.default.fileExists(atPath: "isvc-pickle-was-executed"))
    }
}
