/// `serving.kserve.io/v1beta1 InferenceService`, decoded from its node. Container and pod fields the
/// compiler only passes through stay as `Value`s.
public struct InferenceService: Sendable {
    public var meta: ObjectMeta
    @Boxed public var predictor: Predictor
    @Boxed public var transformer: Component?
    @Boxed public var explainer: Component?
    /// `spec.canary` (Standard mode only): canary predictors with their traffic share.
    public var canaries: [CanarySpec]
    /// Where `spec.canary` is, when present.
    public var canaryLocation: SourceLocation?
    public var file: String
    public var location: SourceLocation

    public var name: String { meta.name?.value ?? "" }
}

/// Fields every component has (`ComponentExtensionSpec`).
public struct ComponentExtension: Sendable {
    public var minReplicas: Located<Int>?
    public var maxReplicas: Located<Int>?
    public var scaleTarget: Located<Int>?
    public var scaleMetric: Located<String>?
    public var scaleMetricType: Located<String>?
    public var containerConcurrency: Located<Int>?
    public var timeout: Located<Int>?
    public var canaryTrafficPercent: Located<Int>?
    public var labels: [String: String]
    public var annotations: [String: String]
    /// Where each annotation's value was written.
    public var annotationLocations: [String: SourceLocation]
    public var logger: LoggerSpec?
    public var batcher: Batcher?
    public var deploymentStrategy: Located<Value>?
    public var autoScaling: Located<Value>?

    static let keys: Set<String> = [
        "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "scaleMetricType", "autoScaling",
        "containerConcurrency", "timeout", "canaryTrafficPercent", "logger", "batcher", "labels", "annotations",
        "deploymentStrategy",
    ]

    init(_ node: Node) {
        minReplicas = node.locatedInt("minReplicas")
        maxReplicas = node.locatedInt("maxReplicas")
        scaleTarget = node.locatedInt("scaleTarget")
        scaleMetric = node.located("scaleMetric")
        scaleMetricType = node.located("scaleMetricType")
        containerConcurrency = node.locatedInt("containerConcurrency")
        timeout = node.locatedInt("timeout")
        canaryTrafficPercent = node.locatedInt("canaryTrafficPercent")
        labels = node.stringMap("labels")
        annotations = node.stringMap("annotations")
        annotationLocations = node.keyLocations("annotations")
        logger = node["logger"].map(LoggerSpec.init)
        batcher = node["batcher"].map(Batcher.init)
        deploymentStrategy = node["deploymentStrategy"].map { Located(Value($0), at: $0.location) }
        autoScaling = node["autoScaling"].map { Located(Value($0), at: $0.location) }
    }
}

/// `logger` on a component: where the agent sends CloudEvents of requests and responses, or the
/// storage it writes them to (KServe's `LoggerSpec`).
public struct LoggerSpec: Sendable {
    public struct Storage: Sendable, Equatable {
        public var path: String?
        public var parameters: [String: String]?
        public var key: String?
        public var serviceAccountName: String?
    }

    public var url: String?
    public var mode: Located<String>?
    public var metadataHeaders: [String]?
    public var metadataAnnotations: [String]?
    public var storage: Storage?
    public var marshallerURL: String?
    public var batchSize: Int?
    public var batchInterval: String?
    public var location: SourceLocation

    init(_ node: Node) {
        url = node.located("url")?.value
        mode = node.located("mode")
        metadataHeaders = node["metadataHeaders"]?.sequence.map { $0.compactMap(\.scalar?.text) }
        metadataAnnotations = node["metadataAnnotations"]?.sequence.map { $0.compactMap(\.scalar?.text) }
        storage = node["storage"].map { s in
            Storage(
                path: s.located("path")?.value, parameters: s["parameters"] == nil ? nil : s.stringMap("parameters"),
                key: s.located("key")?.value, serviceAccountName: s.located("serviceAccountName")?.value)
        }
        marshallerURL = node.located("marshallerUrl")?.value
        batchSize = node.locatedInt("batchSize")?.value
        batchInterval = node.located("batchInterval")?.value
        location = node.location
    }
}

public struct Batcher: Sendable {
    public var maxBatchSize: Int?
    public var maxLatency: Int?
    public var timeout: Int?
    public var location: SourceLocation

    init(_ node: Node) {
        maxBatchSize = node.locatedInt("maxBatchSize")?.value
        maxLatency = node.locatedInt("maxLatency")?.value
        timeout = node.locatedInt("timeout")?.value
        location = node.location
    }
}

/// A container as written: every field kept, plus where it is.
public struct ContainerSpec: Sendable {
    public var fields: [String: Value]
    public var location: SourceLocation
    public var name: String? { fields["name"]?.string }
    /// Where each field of the container was written.
    public var fieldLocations: [String: SourceLocation]

    init(_ node: Node, dropping: Set<String> = []) {
        var f: [String: Value] = [:]
        var locs: [String: SourceLocation] = [:]
        for p in node.mapping ?? [] {
            guard let k = p.key.scalar?.text, !dropping.contains(k) else { continue }
            if case .scalar(let s) = p.value.content, s.tag == .null { continue }
            f[k] = Value(p.value)
            locs[k] = p.key.location
        }
        fields = f
        fieldLocations = locs
        location = node.location
    }

    public init(fields: [String: Value], location: SourceLocation) {
        self.fields = fields
        self.location = location
        self.fieldLocations = [:]
    }

    /// The env var `name` as written, if any.
    public func env(_ name: String) -> String? {
        fields["env"]?.array?.first { $0["name"]?.string == name }?["value"]?.string
    }
}

/// Pod-level fields of a component (KServe's inline PodSpec): containers, plus everything else passed through.
public struct PodFields: Sendable {
    public var containers: [ContainerSpec]
    public var other: [String: Value]
    public var containersLocation: SourceLocation?

    init(_ node: Node, excluding: Set<String>) {
        containers = node["containers"]?.sequence?.map { ContainerSpec($0) } ?? []
        containersLocation = node["containers"]?.location
        var o: [String: Value] = [:]
        for p in node.mapping ?? [] {
            guard let k = p.key.scalar?.text, k != "containers", !excluding.contains(k) else { continue }
            if case .scalar(let s) = p.value.content, s.tag == .null { continue }
            o[k] = Value(p.value)
        }
        other = o
    }
}

/// A transformer or explainer: a pod spec plus the component fields.
public struct Component: Sendable {
    public var pod: PodFields
    public var ext: ComponentExtension
    /// The ART explainer, when `explainer.art` is used instead of containers.
    public var art: ModelSpec?
    public var location: SourceLocation

    init(_ node: Node) {
        ext = ComponentExtension(node)
        pod = PodFields(node, excluding: ComponentExtension.keys.union(["art", "storageUris"]))
        art = node["art"].map { ModelSpec($0, legacyKey: "art") }
        location = node.location
    }
}

/// `predictor.model`, or a legacy framework field (`sklearn:`, ...) with the same fields.
public struct ModelSpec: Sendable {
    public var formatName: Located<String>?
    public var formatVersion: Located<String>?
    public var runtime: Located<String>?
    public var storageUri: Located<String>?
    public var runtimeVersion: Located<String>?
    public var protocolVersion: Located<String>?
    /// The inline container fields (args, env, resources, image, ...).
    public var container: ContainerSpec
    /// Set when this came from a legacy framework field: its key (`sklearn`, `xgboost`, ...).
    public var legacyKey: String?
    public var location: SourceLocation
    public var hasStorageSpec: Bool
    /// The ART explainer's `config` (each key becomes `--key value`).
    public var config: [String: String]

    static let ownKeys: Set<String> = [
        "modelFormat", "runtime", "storageUri", "runtimeVersion", "protocolVersion", "storage", "confidential",
        "config", "type",
    ]

    init(_ node: Node, legacyKey: String? = nil) {
        let format = node["modelFormat"]
        formatName = format?.located("name")
        formatVersion = format?.located("version")
        runtime = node.located("runtime")
        storageUri = node.located("storageUri")
        runtimeVersion = node.located("runtimeVersion")
        protocolVersion = node.located("protocolVersion")
        container = ContainerSpec(node, dropping: ModelSpec.ownKeys)
        self.legacyKey = legacyKey
        location = node.location
        hasStorageSpec = node["storage"] != nil
        config = node.stringMap("config")
    }
}

public struct StorageURISpec: Sendable {
    public var uri: Located<String>
    public var mountPath: Located<String>
}

public struct Predictor: Sendable {
    public var name: Located<String>?
    /// `model`, or the legacy framework field normalised into one (as KServe's defaulter does).
    public var model: ModelSpec?
    /// Every implementation field that was written (`model`, `sklearn`, ...), for the exactly-one rule.
    public var implementations: [Located<String>]
    public var pod: PodFields
    public var ext: ComponentExtension
    public var storageUris: [StorageURISpec]
    public var storageUrisLocation: SourceLocation?
    public var workerSpec: SourceLocation?
    public var location: SourceLocation

    static let frameworkKeys = [
        "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface",
        "pmml", "lightgbm", "paddle",
    ]

    init(_ node: Node) {
        name = node.located("name")
        ext = ComponentExtension(node)
        var impls: [Located<String>] = []
        var model: ModelSpec?
        for key in Predictor.frameworkKeys {
            guard let n = node[key], n.mapping != nil else { continue }
            impls.append(Located(key, at: node.keyLocation(key) ?? n.location))
            if model == nil { model = ModelSpec(n, legacyKey: key) }
        }
        if let n = node["model"], n.mapping != nil {
            impls.append(Located("model", at: node.keyLocation("model") ?? n.location))
            if model == nil { model = ModelSpec(n) }
        }
        self.model = model
        implementations = impls
        pod = PodFields(
            node,
            excluding: ComponentExtension.keys
                .union(Predictor.frameworkKeys).union(["model", "name", "storageUris", "workerSpec", "storageContainerName"]))
        storageUris =
            node["storageUris"]?.sequence?.compactMap { item in
                guard let uri = item.located("uri") else { return nil }
                let mount = item.located("mountPath") ?? Located("/mnt/models", at: item.location)
                return StorageURISpec(uri: uri, mountPath: mount)
            } ?? []
        storageUrisLocation = node.keyLocation("storageUris")
        workerSpec = node.keyLocation("workerSpec")
        location = node.location
    }
}

extension InferenceService {
    init(document: SourceDocument) {
        let root = document.root
        meta = ObjectMeta(root)
        let spec = root["spec"]
        predictor = Predictor(spec?["predictor"] ?? Node(.mapping([]), at: spec?.location ?? root.location))
        transformer = spec?["transformer"].map(Component.init)
        explainer = spec?["explainer"].map(Component.init)
        canaries = spec?["canary"]?.sequence?.map { CanarySpec($0) } ?? []
        canaryLocation = spec?.keyLocation("canary")
        file = document.file
        location = root.location
    }
}

/// One `spec.canary` entry: a predictor (merged over the stable one) and its share of the traffic.
public struct CanarySpec: Sendable {
    public var predictor: Predictor
    public var trafficPercent: Located<Int>?
    public var location: SourceLocation

    init(_ node: Node) {
        predictor = Predictor(node["predictor"] ?? Node(.mapping([]), at: node.location))
        trafficPercent = node.locatedInt("trafficPercent")
        location = node.location
    }

    public var name: String? { predictor.name?.value }
}
