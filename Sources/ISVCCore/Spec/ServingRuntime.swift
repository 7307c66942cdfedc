/// `ServingRuntime` (namespaced) or `ClusterServingRuntime`, `serving.kserve.io/v1alpha1`.
public struct ServingRuntime: Sendable {
    public struct SupportedFormat: Sendable {
        public var name: String
        public var version: String?
        public var autoSelect: Bool
        public var priority: Int?
        public var location: SourceLocation
    }

    public var meta: ObjectMeta
    public var clusterScoped: Bool
    public var formats: [SupportedFormat]
    public var protocolVersions: [String]
    public var multiModel: Bool
    public var disabled: Bool
    public var hasWorkerSpec: Bool
    public var containers: [ContainerSpec]
    /// Pod-level fields other than containers (volumes, nodeSelector, tolerations, ...).
    public var podFields: [String: Value]
    /// `spec.labels` / `spec.annotations`: added to the component's pods.
    public var labels: [String: String]
    public var annotations: [String: String]
    /// `metadata.creationTimestamp`, the tie-breaker KServe sorts by (newest first).
    public var creationTimestamp: String?
    /// True for the runtimes `isvc` embeds (KServe's `config/runtimes`).
    public var builtIn: Bool
    public var location: SourceLocation

    public var name: String { meta.name?.value ?? "" }
    public var kind: String { clusterScoped ? "ClusterServingRuntime" : "ServingRuntime" }

    init(document: SourceDocument, clusterScoped: Bool, builtIn: Bool = false) {
        let root = document.root
        meta = ObjectMeta(root)
        self.clusterScoped = clusterScoped
        self.builtIn = builtIn
        let spec = root["spec"] ?? Node(.mapping([]), at: root.location)
        formats =
            spec["supportedModelFormats"]?.sequence?.compactMap { f in
                guard let name = f.located("name")?.value else { return nil }
                return SupportedFormat(
                    name: name, version: f.located("version")?.value,
                    autoSelect: f.bool("autoSelect") ?? false, priority: f.locatedInt("priority")?.value,
                    location: f.location)
            } ?? []
        protocolVersions = spec["protocolVersions"]?.sequence?.compactMap { $0.scalar?.text } ?? []
        multiModel = spec.bool("multiModel") ?? false
        disabled = spec.bool("disabled") ?? false
        hasWorkerSpec = spec["workerSpec"] != nil
        containers = spec["containers"]?.sequence?.map { ContainerSpec($0) } ?? []
        var pod: [String: Value] = [:]
        let notPod: Set<String> = [
            "supportedModelFormats", "protocolVersions", "multiModel", "disabled", "workerSpec",
            "containers", "labels", "annotations", "grpcEndpoint", "grpcDataEndpoint",
            "httpDataEndpoint", "replicas", "storageHelper", "builtInAdapter",
        ]
        for p in spec.mapping ?? [] {
            guard let k = p.key.scalar?.text, !notPod.contains(k) else { continue }
            pod[k] = Value(p.value)
        }
        podFields = pod
        labels = spec.stringMap("labels")
        annotations = spec.stringMap("annotations")
        creationTimestamp = root["metadata"]?.located("creationTimestamp")?.value
        location = root.location
    }

    /// The server type that drives server-specific defaults (annotation, else the built-in name).
    public var serverType: String? {
        meta.annotations["serving.kserve.io/server-type"]
    }
}
