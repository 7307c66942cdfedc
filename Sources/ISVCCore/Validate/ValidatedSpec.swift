public enum ComponentKind: String, Sendable, CaseIterable {
    case predictor
    case transformer
    case explainer
}

/// One component after KServe's defaulting and the controller's pod construction: what goes into
/// its Knative Service.
public struct ResolvedComponent: Sendable {
    public var kind: ComponentKind
    /// `<isvc>-predictor`, `<isvc>-transformer`, `<isvc>-explainer`.
    public var name: String
    @Boxed public var ext: ComponentExtension
    /// The PodSpec: `containers` plus pod-level fields.
    public var podSpec: [String: Value]
    /// Component labels and annotations (KServe's `buildObjectMeta`), before the Knative filters.
    public var labels: [String: String]
    public var annotations: [String: String]
    public var runtime: ServingRuntime?
    public var protocolVersion: String?
    /// The single storageUri the storage initializer downloads, if any.
    public var storageUri: String?
    public var storageUris: [StorageURISpec]
    public var location: SourceLocation
    /// Labels the runtime defaults add to the InferenceService itself (mlserver's `modelClass`,
    /// torchserve's `serviceEnvelope`); KServe's later reconcilers see them on the isvc.
    public var isvcLabelAdditions: [String: String] = [:]
    /// For a canary: its share of the traffic.
    public var trafficPercent: Int?
}

/// An InferenceService that passed validation, with defaults applied and runtimes selected.
public struct ValidatedService: Sendable {
    public var isvc: InferenceService
    /// The isvc's annotations after the defaulting webhook (adds `modelFormat`).
    public var annotations: [String: String]
    public var components: [ResolvedComponent]
    public var mode: DeploymentMode = .knative
    /// Standard mode's `spec.canary` predictors, each `<isvc>-<name>-predictor`.
    public var canaries: [ResolvedComponent] = []
    /// The TrainedModels the controller writes into a multi-model predictor's model config.
    public var trainedModels: [TrainedModel] = []

    public var name: String { isvc.name }
    /// The isvc's labels as the controller holds them after the predictor's runtime defaults.
    public var labels: [String: String] {
        isvc.meta.labels.merging(component(.predictor)?.isvcLabelAdditions ?? [:]) { $1 }
    }
    public var namespace: String { isvc.namespace }

    public func component(_ kind: ComponentKind) -> ResolvedComponent? {
        components.first { $0.kind == kind }
    }
}

public struct ValidatedSpec: Sendable {
    public var services: [ValidatedService]
    public var config: ClusterConfig
    /// InferenceGraphs that passed validation, with their steps' service URLs resolved.
    public var graphs: [ValidatedGraph] = []
    /// LLMInferenceServices with their configs merged and rendered.
    public var llmServices: [ValidatedLLMService] = []
}
