import Foundation
import GRPCCore
import LoopbackSupport
import Testing

@testable import ISVCServe

/// The Open Inference Protocol over gRPC for in-process models, driven by a grpc-swift client over
/// HTTP/2 on 127.0.0.1: KServe's answers, output forms, status codes and messages (reference
/// grpc-agent-graph.md A1, A2).
@Suite("gRPC inference server (grpc-swift client)")
struct GRPCInferenceServerTests {
    typealias S = GRPCServerSupport

    @Test(
        "health and metadata: live, ready, model ready, server and model metadata, NOT_FOUND for an unknown model", .timeLimit(.minutes(15))
    )
    func healthAndMetadata() async throws {
        let iris = try S.iris()
        try await S.withServer([iris, DoublingModel()]) { port in
            try await S.withClient(port) { client throws in
                #expect(try await client.serverLive(.init()).live)
                #expect(try await client.serverReady(.init()).ready)
                var ready = Inference_ModelReadyRequest()
                ready.name = "sklearn-iris"
                #expect(try await client.modelReady(ready).ready)
                let server = try await client.serverMetadata(.init())
                #expect(server.name == "isvc")
                #expect(server.extensions == ["binary_tensor_data"])
                var meta = Inference_ModelMetadataRequest()
                meta.name = "sklearn-iris"
                let metadata = try await client.modelMetadata(meta)
                #expect(metadata.name == "sklearn-iris")
                #expect(metadata.platform == "")
                #expect(metadata.versions.isEmpty)
                #expect(metadata.inputs.map(\.name) == ["input-0"])
                #expect(metadata.inputs.first?.datatype == "FP64")
                #expect(metadata.inputs.first?.shape == [-1, 4])
                #expect(metadata.outputs.first?.datatype == "INT64")
                #expect(metadata.outputs.first?.shape == [-1])
                ready.name = "nope"
                meta.name = "nope"
                for error in [
                    await S.rpcError { _ = try await client.modelReady(ready) },
                    await S.rpcError { _ = try await client.modelMetadata(meta) },
                ] {
                    #expect(error?.code == .notFound)
                    #expect(error?.message == "Model with name nope does not exist.")
                }
            }
        }
    }

    @Test("a model that is not ready: ModelReady false (OK), ServerReady false, ModelInfer UNAVAILABLE", .timeLimit(.minutes(15)))
    func notReady() async throws {
        try await S.withServer([DoublingModel(), DoublingModel(name: "cold", ready: false)]) { port in
            try await S.withClient(port) { client throws in
                var ready = Inference_ModelReadyRequest()
                ready.name = "cold"
                #expect(try await client.modelReady(ready).ready == false)
                #expect(try await client.serverReady(.init()).ready == false)
                let error = await S.rpcError { _ = try await client.modelInfer(S.request("cold", raw: false)) }
                #expect(error?.code == .unavailable)
                #expect(error?.message == "Model with name cold is not ready.")
            }
        }
    }

    @Test(
        "typed FP32 and FP64 inputs: typed INT64 classes as the REST endpoint gives them; id and model_version echoed",
        .timeLimit(.minutes(15)))
    func typed() async throws {
        let iris = try S.iris()
        let rest = try S.restAnswer(iris)
        #expect(rest == S.classes)
        try await S.withServer([iris]) { port in
            try await S.withClient(port) { client throws in
                for datatype in ["FP32", "FP64"] {
                    var request = S.request("sklearn-iris", datatype: datatype, raw: false)
                    request.id = "7"
                    request.modelVersion = "v9"
                    let response = try await client.modelInfer(request)
                    #expect(response.modelName == "sklearn-iris")
                    #expect(response.id == "7")
                    #expect(response.modelVersion == "v9")
                    #expect(response.rawOutputContents.isEmpty)
                    let output = try #require(response.outputs.first)
                    #expect(output.name == "output-0")
                    #expect(output.datatype == "INT64")
                    #expect(output.shape == [3])
                    #expect(output.contents.int64Contents.map(Double.init) == rest)
                }
            }
        }
    }

    @Test("raw inputs: every output raw (little-endian INT64), the same classes; no id asked, none given", .timeLimit(.minutes(15)))
    func raw() async throws {
        let iris = try S.iris()
        try await S.withServer([iris]) { port in
            try await S.withClient(port) { client throws in
                for datatype in ["FP32", "FP64"] {
                    let response = try await client.modelInfer(S.request("sklearn-iris", datatype: datatype, raw: true))
                    #expect(response.id == "")
                    let output = try #require(response.outputs.first)
                    #expect(output.datatype == "INT64")
                    #expect(!output.hasContents)
                    #expect(response.rawOutputContents.count == 1)
                    let bytes = [UInt8](response.rawOutputContents.first ?? Data())
                    let decoded = try Tensor.decode(bytes, name: "output-0", datatype: "INT64", shape: [3])
                    #expect(decoded.numbers == S.classes)
                }
            }
        }
    }

    @Test("typed BYTES and INT32 through a model that doubles numbers, requested outputs, FP16 answered raw", .timeLimit(.minutes(15)))
    func datatypes() async throws {
        try await S.withServer([DoublingModel(), HalfModel()]) { port in
            try await S.withClient(port) { client throws in
                var request = Inference_ModelInferRequest()
                request.modelName = "scale"
                var words = Inference_ModelInferRequest.InferInputTensor()
                words.name = "words"
                words.datatype = "BYTES"
                words.shape = [2]
                words.contents.bytesContents = [Data("a".utf8), Data("bc".utf8)]
                var ints = Inference_ModelInferRequest.InferInputTensor()
                ints.name = "ints"
                ints.datatype = "INT32"
                ints.shape = [1, 2]
                ints.contents.intContents = [1, -2]
                request.inputs = [words, ints]
                let both = try await client.modelInfer(request)
                #expect(both.outputs.map(\.name) == ["output-0", "output-1"])
                #expect(both.outputs.first?.contents.bytesContents == [Data("a".utf8), Data("bc".utf8)])
                #expect(both.outputs.last?.contents.intContents == [2, -4])
                var wanted = Inference_ModelInferRequest.InferRequestedOutputTensor()
                wanted.name = "output-1"
                request.outputs = [wanted]
                let one = try await client.modelInfer(request)
                #expect(one.outputs.map(\.name) == ["output-1"])
                #expect(one.outputs.first?.shape == [1, 2])
                wanted.name = "output-9"
                request.outputs = [wanted]
                let unknown = await S.rpcError { _ = try await client.modelInfer(request) }
                #expect(unknown?.code == .invalidArgument)
                #expect(unknown?.message == "unknown output output-9; the model returns [\"output-0\", \"output-1\"]")

                request.modelName = "half"
                request.outputs = []
                let half = try await client.modelInfer(request)
                #expect(half.outputs.first?.datatype == "FP16")
                #expect(half.outputs.first?.hasContents == false)
                #expect(half.rawOutputContents == [Data([0x00, 0x3E, 0x00, 0xC0])])
            }
        }
    }

    @Test("a port already taken: run() throws, and so does port", .timeLimit(.minutes(15)))
    func portTaken() async throws {
        try await S.withServer([DoublingModel()]) { port in
            let second = GRPCInferenceServer(models: [DoublingModel()], host: "127.0.0.1", port: port)
            await #expect(throws: (any Error).self) { try await second.run() }
            await #expect(throws: (any Error).self) { _ = try await second.port }
        }
    }
}
