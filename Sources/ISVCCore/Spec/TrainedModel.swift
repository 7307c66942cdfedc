/// `serving.kserve.io/v1alpha1 TrainedModel`: one model for a multi-model InferenceService, which the
/// TrainedModel controller writes into that InferenceService's model config for the agent's puller.
public struct TrainedModel: Sendable {
    public var meta: ObjectMeta
    /// `spec.inferenceService`: the parent, in the TrainedModel's namespace.
    public var inferenceService: Located<String>?
    public var storageURI: Located<String>?
    public var framework: Located<String>?
    public var memory: Located<String>?
    public var location: SourceLocation

    public var name: String { meta.name?.value ?? "" }
    public var namespace: String { meta.namespace?.value ?? "default" }

    init(document: SourceDocument) {
        let root = document.root
        meta = ObjectMeta(root)
        let spec = root["spec"]
        inferenceService = spec?.located("inferenceService")
        let model = spec?["model"]
        storageURI = model?.located("storageUri")
        framework = model?.located("framework")
        memory = model?.located("memory")
        location = root.location
    }
}

extension Predictor {
    /// KServe's `IsMMSPredictor`: a multi-model predictor is custom containers whose first one sets
    /// `MULTI_MODEL_SERVER=true`, or a model with no storage at all (not storageUri, storage or
    /// storageUris), unless it is Hugging Face (which may name a model id instead).
    public var isMultiModel: Bool {
        if let first = pod.containers.first { return first.env("MULTI_MODEL_SERVER") == "true" }
        guard let model else { return false }
        if model.legacyKey == "huggingface" || model.formatName?.value == "huggingface" { return false }
        return model.storageUri == nil && !model.hasStorageSpec && storageUris.isEmpty
    }
}
