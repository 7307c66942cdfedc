import Foundation
import LoopbackSupport
import Testing

@testable import ISVCServe

/// The gRPC clients KServe users have, against the gRPC server on 127.0.0.1 serving the native
/// scikit-learn iris model, directly and through `isvc serve`'s gateway (an h2c revision): tritonclient.grpc (raw tensors) and KServe's InferenceGRPCClient (typed
/// and raw), each in a process of its own (scripts/grpc-clients.py). Needs `.venv-kserve`
/// (scripts/install-test-tools: kserve, tritonclient[grpc]).
@Suite("tritonclient.grpc and KServe's InferenceGRPCClient against the gRPC server, directly and through the gateway")
struct GRPCClientsTests {
    typealias S = GRPCServerSupport
    static let runs = TestTools.runs(with: TestTools.kservePython)
    static let missing = Comment(rawValue: "KServe's clients (.venv-kserve) are \(TestTools.missing)")
    /// Seconds a client script may take before it is killed.
    static let timeout = 90

    /// Runs scripts/grpc-clients.py with the venv's Python on a thread of its own, killed after
    /// `timeout` seconds; its exit status, standard output and standard error.
    static func run(_ python: String, _ arguments: [String]) async -> (status: Int32, output: String, errors: String) {
        await withCheckedContinuation { continuation in
            Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = [TestTools.root.appendingPathComponent("scripts/grpc-clients.py").path] + arguments
                let out = Pipe()
                let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-clients-\(UUID().uuidString).err")
                defer { try? FileManager.default.removeItem(at: errorFile) }
                _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
                process.standardOutput = out
                process.standardError = try? FileHandle(forWritingTo: errorFile)
                do { try process.run() } catch {
                    continuation.resume(returning: (-1, "", "\(error)"))
                    return
                }
                let pid = process.processIdentifier
                // Killed by its own PID, and only while it runs: the kill is called off once it has exited.
                let deadline = DispatchWorkItem { kill(pid, SIGKILL) }
                DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeout), execute: deadline)
                let data = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                deadline.cancel()
                let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
                continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self), errors))
            }.start()
        }
    }

    /// One client's report against a server on `port`: its exit status, its JSON and its errors.
    static func report(
        _ python: String, client: String, port: Int, authority: String? = nil
    ) async -> (status: Int32, output: String, errors: String) {
        await run(python, [client, String(port), "sklearn-iris"] + (authority.map { [$0] } ?? []))
    }

    /// Where the client calls: the gRPC server itself, or `isvc serve`'s gateway with the iris model
    /// on an h2c revision (its native replica's gRPC server behind the HTTP/2 cluster).
    enum Path: String, CaseIterable, Sendable { case direct, gateway }

    static let h2cIris = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: sklearn-iris
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
              storageUri: \(TestTools.root.appendingPathComponent("fixtures/models/sklearn-iris-svc").path)
              ports: [{name: h2c, containerPort: 8081, protocol: TCP}]
        """

    static func report(
        _ python: String, client: String, via path: Path, model: NativeModel
    ) async throws -> (status: Int32, output: String, errors: String) {
        switch path {
        case .direct:
            return try await S.withServer([model]) { port in await Self.report(python, client: client, port: port) }
        case .gateway:
            let box = ReportBox()
            try await ServeLiveTests.withRunningGateway(Self.h2cIris, native: { _, _ in [model] }) { port, _, _ in
                await box.set(await Self.report(python, client: client, port: port, authority: "sklearn-iris.default.example.com"))
            }
            return await box.value ?? (-1, "", "the gateway did not run")
        }
    }

    actor ReportBox {
        var value: (status: Int32, output: String, errors: String)?
        func set(_ v: (status: Int32, output: String, errors: String)) { value = v }
    }

    /// The report's JSON object; its exit status must be 0.
    static func parse(_ report: (status: Int32, output: String, errors: String), client: String) throws -> [String: Any] {
        #expect(report.status == 0, "\(client): \(report.errors.suffix(2000))")
        let json = try? JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [String: Any]
        return try #require(json, "\(report.output)\n\(report.errors.suffix(2000))")
    }

    @Test(
        "tritonclient.grpc: health, metadata, raw infer (also gzip-compressed) with the REST answer's classes, KServe's errors",
        .enabled(if: runs, missing), .timeLimit(.minutes(15)), arguments: Path.allCases)
    func triton(_ path: Path) async throws {
        let python = try #require(TestTools.kservePython, Self.missing)
        let iris = try S.iris()
        let rest = try S.restAnswer(iris).map { Int($0) }
        #expect(rest == [1, 1, 0])
        let report = try await Self.report(python, client: "triton", via: path, model: iris)
        let result = try Self.parse(report, client: "triton")
        #expect(result["live"] as? Bool == true)
        #expect(result["ready"] as? Bool == true)
        #expect(result["model_ready"] as? Bool == true)
        #expect(result["server_name"] as? String == "isvc")
        let metadata = result["metadata"] as? [String: Any]
        #expect(metadata?["name"] as? String == "sklearn-iris")
        let input = (metadata?["inputs"] as? [[String: Any]])?.first
        #expect(input?["datatype"] as? String == "FP64")
        #expect(input?["shape"] as? [String] == ["-1", "4"])  // MessageToJson writes int64 as strings
        let infer = result["infer"] as? [String: Any]
        #expect(infer?["output"] as? [Int] == rest)
        #expect(infer?["id"] as? String == "42")
        #expect(infer?["datatype"] as? String == "INT64")
        #expect(infer?["raw"] as? Int == 1)
        let gzip = result["infer_gzip"] as? [String: Any]
        #expect(gzip?["output"] as? [Int] == rest, "a gzip-compressed request")
        #expect(gzip?["id"] as? String == "43")
        let unknown = result["unknown_model"] as? [String: String]
        #expect(unknown?["status"] == "StatusCode.NOT_FOUND")
        #expect(unknown?["message"] == "Model with name nope does not exist.")
        let three = result["three_features"] as? [String: String]
        #expect(three?["status"] == "StatusCode.INVALID_ARGUMENT")
        #expect(three?["message"] == "X has 3 features, but SVC is expecting 4 features as input.")
    }

    @Test(
        "KServe's InferenceGRPCClient: health, typed and raw infer with the REST answer's classes, NOT_FOUND",
        .enabled(if: runs, missing), .timeLimit(.minutes(15)), arguments: Path.allCases)
    func kserve(_ path: Path) async throws {
        let python = try #require(TestTools.kservePython, Self.missing)
        let iris = try S.iris()
        let rest = try S.restAnswer(iris, datatype: "FP64").map { Int($0) }
        #expect(rest == [1, 1, 0])
        let report = try await Self.report(python, client: "kserve", via: path, model: iris)
        let result = try Self.parse(report, client: "kserve")
        #expect(result["live"] as? Bool == true)
        #expect(result["ready"] as? Bool == true)
        #expect(result["model_ready"] as? Bool == true)
        for form in ["typed", "raw"] {
            let infer = result[form] as? [String: Any]
            #expect(infer?["output"] as? [Int] == rest, "\(form)")
            #expect(infer?["id"] as? String == "kserve-\(form)")
            #expect(infer?["datatype"] as? String == "INT64")
            #expect(infer?["raw"] as? Bool == (form == "raw"), "\(form): raw inputs answer raw outputs, typed typed")
        }
        let unknown = result["unknown_model"] as? [String: String]
        #expect(unknown?["status"] == "StatusCode.NOT_FOUND")
        #expect(unknown?["message"] == "Model with name nope does not exist.")
    }
}

/// The same clients through `isvc serve`'s gateway to KServe's own Python model server (the
/// sklearnserver model class of bench/kserve-sklearnserver.py on the iris SVC) as a process replica
/// of an h2c revision: its gRPC port is the replica's port, reached over h2c.
@Suite("tritonclient.grpc and KServe's InferenceGRPCClient through the gateway to KServe's Python server")
struct GRPCKServeReplicaTests {
    static let yaml = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: sklearn-iris
        spec:
          predictor:
            containers:
              - name: kserve-container
                image: kserve/sklearnserver
                command: [\(KServeClientTests.python), \(TestTools.root.appendingPathComponent("bench/kserve-sklearnserver.py").path)]
                args: [--model_name, sklearn-iris, --model_dir, \(TestTools.root.appendingPathComponent("fixtures/models/sklearn-iris-svc").path), --http_port, "8080", --grpc_port, "8081"]
                ports: [{name: h2c, containerPort: 8081, protocol: TCP}]
        """

    @Test(
        "health, infer (raw and typed) with the model's classes, NOT_FOUND for an unknown model",
        .enabled(if: GRPCClientsTests.runs, GRPCClientsTests.missing), .timeLimit(.minutes(15)), arguments: ["triton", "kserve"])
    func clients(_ client: String) async throws {
        let python = try #require(TestTools.kservePython, GRPCClientsTests.missing)
        let box = GRPCClientsTests.ReportBox()
        try await ServeLiveTests.withRunningGateway(Self.yaml) { port, _, _ in
            await box.set(await GRPCClientsTests.report(python, client: client, port: port, authority: "sklearn-iris.default.example.com"))
        }
        let report = try #require(await box.value)
        let result = try GRPCClientsTests.parse(report, client: client)
        #expect(result["live"] as? Bool == true)
        #expect(result["model_ready"] as? Bool == true)
        let forms = client == "triton" ? ["infer"] : ["typed", "raw"]
        for form in forms {
            let infer = result[form] as? [String: Any]
            #expect(infer?["output"] as? [Int] == [1, 1, 0], "\(form)")
        }
        let unknown = result["unknown_model"] as? [String: String]
        #expect(unknown?["status"] == "StatusCode.NOT_FOUND")
        #expect(unknown?["message"] == "Model with name nope does not exist.")
    }
}
