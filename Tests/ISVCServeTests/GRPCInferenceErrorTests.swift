import Foundation
import GRPCCore
import LoopbackSupport
import Testing

@testable import ISVCServe

/// ModelInfer's errors over gRPC: KServe's status codes, and its messages where KServe has one
/// (reference grpc-agent-graph.md A1, A2), the REST endpoint's messages elsewhere.
@Suite("gRPC inference server errors (grpc-swift client)")
struct GRPCInferenceErrorTests {
    typealias S = GRPCServerSupport

    /// The code and message ModelInfer answers `request` with.
    static func failure(_ client: S.Client, _ request: Inference_ModelInferRequest) async -> (RPCError.Code?, String?) {
        let error = await S.rpcError { _ = try await client.modelInfer(request) }
        return (error?.code, error?.message)
    }

    @Test("KServe's messages: unknown model, raw contents count, raw and typed contents together", .timeLimit(.minutes(15)))
    func kserveValidation() async throws {
        try await S.withServer([try S.iris()]) { port in
            try await S.withClient(port) { client throws in
                let unknown = await Self.failure(client, S.request("nope", raw: false))
                #expect(unknown.0 == .notFound)
                #expect(unknown.1 == "Model with name nope does not exist.")

                var twoInputs = S.request("sklearn-iris", raw: true)
                twoInputs.inputs.append(twoInputs.inputs[0])
                let count = await Self.failure(client, twoInputs)
                #expect(count.0 == .invalidArgument)
                #expect(
                    count.1
                        == "the number of inputs (2) does not match the expected number of raw input contents (1) for model 'sklearn-iris'."
                )

                var both = S.request("sklearn-iris", raw: true)
                both.inputs[0].contents.fp64Contents = [1, 2, 3, 4]
                let mixed = await Self.failure(client, both)
                #expect(mixed.0 == .invalidArgument)
                #expect(
                    mixed.1
                        == "contents field must not be specified when using raw_input_contents for input 'input-0' for model 'sklearn-iris'"
                )

                // KServe validates the request before it looks the model up.
                twoInputs.modelName = "nope"
                #expect(await Self.failure(client, twoInputs).0 == .invalidArgument)
            }
        }
    }

    @Test("tensors that do not hold together, the model's own error, a 3-feature row: INVALID_ARGUMENT", .timeLimit(.minutes(15)))
    func badTensors() async throws {
        try await S.withServer([try S.iris()]) { port in
            try await S.withClient(port) { client throws in
                var short = S.request("sklearn-iris", raw: false)
                short.inputs[0].contents.fp64Contents.removeLast()
                #expect(await Self.failure(client, short) == (.invalidArgument, "input input-0: shape [3, 4] needs 12 elements, got 11"))

                var shortRaw = S.request("sklearn-iris", raw: true)
                shortRaw.rawInputContents[0].removeLast(8)
                #expect(
                    await Self.failure(client, shortRaw) == (.invalidArgument, "input input-0: shape [3, 4] of FP64 needs 96 bytes, got 88")
                )

                var unknownType = S.request("sklearn-iris", raw: false)
                unknownType.inputs[0].datatype = "FLOAT"
                let datatype = await Self.failure(client, unknownType)
                #expect(datatype.0 == .invalidArgument)
                #expect(datatype.1?.hasPrefix("input input-0: invalid datatype FLOAT") == true)

                var negative = S.request("sklearn-iris", raw: false)
                negative.inputs[0].shape = [-3, 4]
                #expect(
                    await Self.failure(client, negative) == (
                        .invalidArgument, "input input-0: shape dimensions must be non-negative integers"
                    ))

                var half = S.request("sklearn-iris", raw: false)
                half.inputs[0].datatype = "FP16"
                let fp16 = await Self.failure(client, half)
                #expect(fp16.0 == .invalidArgument)
                #expect(fp16.1 == "input input-0: FP16 has no typed contents field; send it in raw_input_contents")

                // sklearn's own error, which KServe's sklearnserver raises as an InferenceError.
                let three = await Self.failure(client, S.request("sklearn-iris", rows: [[1, 2, 3]], raw: false))
                #expect(three == (.invalidArgument, "X has 3 features, but SVC is expecting 4 features as input."))
            }
        }
    }

    @Test("limits: past --max-tensor-elements RESOURCE_EXHAUSTED; a request over 8 MiB refused with RST_STREAM", .timeLimit(.minutes(15)))
    func limits() async throws {
        try await S.withServer([DoublingModel()], limits: .init(maxTensorElements: 8)) { port in
            try await S.withClient(port) { client throws in
                let rows = [[Double]](repeating: [1, 2, 3], count: 3)
                let many = await Self.failure(client, S.request("scale", rows: rows, raw: false))
                #expect(many.0 == .resourceExhausted)
                #expect(many.1 == "input input-0: the request carries more than 8 tensor elements (isvc serve --max-tensor-elements 8)")

                var big = S.request("scale", rows: [[1]], datatype: "UINT8", raw: true)
                big.inputs[0].shape = [1, Int64(GRPCInferenceServer.maxRequestBytes + 1)]
                big.rawInputContents = [Data(count: GRPCInferenceServer.maxRequestBytes + 1)]
                let huge = await Self.failure(client, big)
                // grpc-swift refuses the message with RST_STREAM (CANCEL), which a client reads as
                // UNAVAILABLE; KServe's grpcio server answers RESOURCE_EXHAUSTED. The server goes on.
                #expect(huge.0 == .unavailable, "\(String(describing: huge.1))")
                #expect(try await client.modelInfer(S.request("scale", rows: [[1, 2]], raw: false)).outputs.count == 1)
            }
        }
    }

    @Test("RepositoryModelLoad and RepositoryModelUnload: UNIMPLEMENTED, saying why", .timeLimit(.minutes(15)))
    func repository() async throws {
        try await S.withServer([DoublingModel()]) { port in
            try await S.withClient(port) { client throws in
                var load = Inference_RepositoryModelLoadRequest()
                load.modelName = "scale"
                let loaded = await S.rpcError { _ = try await client.repositoryModelLoad(load) }
                #expect(loaded?.code == .unimplemented)
                #expect(loaded?.message.contains("load their models when isvc serve starts") == true)
                var unload = Inference_RepositoryModelUnloadRequest()
                unload.modelName = "scale"
                let unloaded = await S.rpcError { _ = try await client.repositoryModelUnload(unload) }
                #expect(unloaded?.code == .unimplemented)
            }
        }
    }
}
