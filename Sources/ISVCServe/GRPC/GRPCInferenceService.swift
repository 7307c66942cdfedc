import GRPCCore

/// The RPCs of `inference.GRPCInferenceService` over in-process models, as KServe's Python server
/// answers them (`protocol/grpc/servicer.py` and `protocol/dataplane.py`, reference
/// grpc-agent-graph.md A1, A2). Errors are `ProtocolError`s, which become gRPC statuses with
/// KServe's codes and messages (GRPCStatus.swift).
///
/// As in KServe, `version` in ModelReady and ModelMetadata is not looked at, and ModelInfer echoes
/// `model_version`; ModelMetadata has no `versions`, and its `platform` is "".
struct GRPCInferenceService: Inference_GRPCInferenceService.SimpleServiceProtocol {
    let models: [String: any InferenceModel]
    let limits: ProtocolServer.Limits

    init(models: [any InferenceModel], limits: ProtocolServer.Limits) {
        var byName: [String: any InferenceModel] = [:]
        for m in models { byName[m.name] = m }
        self.models = byName
        self.limits = limits
    }

    func model(_ name: String) throws(ProtocolError) -> any InferenceModel {
        guard let m = models[name] else { throw .unknownModel(name) }
        return m
    }

    // MARK: Health and metadata

    /// Always live while it answers.
    func serverLive(request: Inference_ServerLiveRequest, context: ServerContext) async throws -> Inference_ServerLiveResponse {
        var response = Inference_ServerLiveResponse()
        response.live = true
        return response
    }

    /// Ready when every model is (no models: ready), as KServe's `DataPlane.ready`.
    func serverReady(request: Inference_ServerReadyRequest, context: ServerContext) async throws -> Inference_ServerReadyResponse {
        var response = Inference_ServerReadyResponse()
        response.ready = models.values.allSatisfy(\.ready)
        return response
    }

    /// A known model's readiness (OK with `ready: false` when it is not); NOT_FOUND for an unknown one.
    func modelReady(request: Inference_ModelReadyRequest, context: ServerContext) async throws -> Inference_ModelReadyResponse {
        var response = Inference_ModelReadyResponse()
        response.ready = try model(request.name).ready
        return response
    }

    /// The same name, version and extensions as the REST `GET /v2`.
    func serverMetadata(request: Inference_ServerMetadataRequest, context: ServerContext) async throws -> Inference_ServerMetadataResponse {
        var response = Inference_ServerMetadataResponse()
        response.name = ProtocolServer.serverName
        response.version = ProtocolServer.serverVersion
        response.extensions = ProtocolServer.serverExtensions
        return response
    }

    func modelMetadata(request: Inference_ModelMetadataRequest, context: ServerContext) async throws -> Inference_ModelMetadataResponse {
        let m = try model(request.name)
        func tensors(_ list: [TensorMetadata]) -> [Inference_ModelMetadataResponse.TensorMetadata] {
            list.map { t in
                var out = Inference_ModelMetadataResponse.TensorMetadata()
                out.name = t.name
                out.datatype = t.datatype
                out.shape = t.shape.map(Int64.init)
                return out
            }
        }
        var response = Inference_ModelMetadataResponse()
        response.name = m.name
        response.platform = ""
        response.inputs = tensors(m.inputs)
        response.outputs = tensors(m.outputs)
        return response
    }

    // MARK: Inference

    /// KServe's order: the request's raw contents are validated first, then the model is looked up.
    /// A model that is not ready answers UNAVAILABLE (KServe's Python server loads it and goes on).
    func modelInfer(request: Inference_ModelInferRequest, context: ServerContext) async throws -> Inference_ModelInferResponse {
        try GRPCTensors.validate(request)
        let m = try model(request.modelName)
        guard m.ready else { throw ProtocolError.notReady(m.name) }
        let inputs = try GRPCTensors.inputs(of: request, limits: limits)
        let outputs = try m.infer(inputs)
        return try GRPCTensors.response(outputs, model: m.name, request: request)
    }

    // MARK: Model repository extension

    /// The native runtimes read their models once, when `isvc serve` starts: there is no repository
    /// to load from.
    func repositoryModelLoad(
        request: Inference_RepositoryModelLoadRequest, context: ServerContext
    ) async throws -> Inference_RepositoryModelLoadResponse {
        throw ProtocolError.notImplemented(
            "RepositoryModelLoad is not supported: isvc's native runtimes load their models when isvc serve starts")
    }

    func repositoryModelUnload(
        request: Inference_RepositoryModelUnloadRequest, context: ServerContext
    ) async throws -> Inference_RepositoryModelUnloadResponse {
        throw ProtocolError.notImplemented(
            "RepositoryModelUnload is not supported: isvc's native runtimes keep their models until isvc serve stops")
    }
}
