import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ISVCModels
import LoopbackSupport

@testable import ISVCServe

/// The gRPC server on 127.0.0.1 with a port the system chooses, a grpc-swift client to it, and the
/// models the gRPC tests ask.
enum GRPCServerSupport {
    typealias Client = Inference_GRPCInferenceService.Client<HTTP2ClientTransport.Posix>

    /// KServe's sklearn iris example (an SVC) read by the native scikit-learn runtime, as `isvc serve` serves it.
    static func iris() throws -> NativeModel {
        let directory = TestTools.root.appendingPathComponent("fixtures/models/sklearn-iris-svc")
        return NativeModel(name: "sklearn-iris", model: try ModelServerKind.sklearn.load(directory: directory))
    }

    /// The iris rows of KServe's examples (classes 1, 1, 0).
    static let rows: [[Double]] = [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6], [5.1, 3.5, 1.4, 0.2]]
    static let classes: [Double] = [1, 1, 0]

    /// Runs `body` with the port of a gRPC server for `models`, then shuts the server down and waits
    /// for it to stop. Servers take turns with the other loopback tests (LoopbackLock): in a full
    /// `swift test` the wait for the lock takes minutes, hence the tests' 15-minute limits (the serialized serve tests take about 6 minutes alone, longer on a loaded machine).
    static func withServer<T: Sendable>(
        _ models: [any InferenceModel], limits: ProtocolServer.Limits = .init(), _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        try await LoopbackLock.run {
            let server = GRPCInferenceServer(models: models, host: "127.0.0.1", port: 0, limits: limits)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                defer { server.shutdown() }
                let port = try await server.port
                let result = try await body(port)
                server.shutdown()
                try await group.waitForAll()
                return result
            }
        }
    }

    /// Runs `body` with a grpc-swift client of `inference.GRPCInferenceService` on `port`.
    static func withClient<T: Sendable>(_ port: Int, _ body: (Client) async throws -> T) async throws -> T {
        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        ) { client in
            try await body(Client(wrapping: client))
        }
    }

    /// The error a call answers, nil when it succeeds.
    static func rpcError(_ call: () async throws -> Void) async -> RPCError? {
        do {
            try await call()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(code: .unknown, message: "not an RPCError: \(error)")
        }
    }

    /// A ModelInfer request for `model` with one input of `rows`, typed (`contents`) or raw.
    static func request(
        _ model: String, rows: [[Double]] = rows, datatype: String = "FP64", raw: Bool
    ) -> Inference_ModelInferRequest {
        var request = Inference_ModelInferRequest()
        request.modelName = model
        var input = Inference_ModelInferRequest.InferInputTensor()
        input.name = "input-0"
        input.datatype = datatype
        input.shape = [Int64(rows.count), Int64(rows.first?.count ?? 0)]
        let flat = rows.flatMap { $0 }
        if raw {
            let tensor = Tensor(name: "input-0", datatype: datatype, shape: input.shape.map { Int($0) }, data: .numbers(flat))
            request.rawInputContents = [Data(tensor.encoded())]
        } else if datatype == "FP32" {
            input.contents.fp32Contents = flat.map(Float.init)
        } else {
            input.contents.fp64Contents = flat
        }
        request.inputs = [input]
        return request
    }

    /// The V2 REST answer of the same model to the same rows (ProtocolServer, in process): its first output's data.
    static func restAnswer(_ model: any InferenceModel, rows: [[Double]] = rows, datatype: String = "FP32") throws -> [Double] {
        let body: [String: Any] = [
            "inputs": [["name": "input-0", "shape": [rows.count, rows.first?.count ?? 0], "datatype": datatype, "data": rows]]
        ]
        let answer = ProtocolServer(models: [model]).handle(
            method: "POST", path: "/v2/models/\(model.name)/infer", headers: [("content-type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: body)))
        let json = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        let outputs = json?["outputs"] as? [[String: Any]]
        return (outputs?.first?["data"] as? [NSNumber])?.map(\.doubleValue) ?? []
    }
}

/// A model whose one output is FP16 whatever it is given: KServe answers FP16 raw even to typed inputs.
struct HalfModel: InferenceModel {
    var name = "half"
    var ready = true
    var inputs = [TensorMetadata(name: "input-0", datatype: "BYTES", shape: [-1])]
    var outputs = [TensorMetadata(name: "half", datatype: "FP16", shape: [2])]

    func predict(instances: [Any]) throws(ProtocolError) -> [Any] { [] }

    func infer(_ inputs: consuming [Tensor]) throws(ProtocolError) -> [Tensor] {
        [Tensor(name: "half", datatype: "FP16", shape: [2], data: .numbers([1.5, -2]))]
    }
}
