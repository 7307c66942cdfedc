/// `serving.kserve.io/v1alpha1 InferenceGraph` (`pkg/apis/serving/v1alpha1/inference_graph.go`): a
/// graph of routing nodes whose steps call InferenceServices, URLs or other nodes, run by KServe's
/// router. Fields are kept with where they were written, for the webhook's and the controller's rules.
public struct InferenceGraph: Sendable {
    /// One routing node (`InferenceRouter`).
    public struct Node: Sendable {
        public var name: Located<String>
        /// `Sequence`, `Splitter`, `Ensemble` or `Switch` (the schema checks the enum).
        public var routerType: Located<String>?
        public var steps: [Step]
    }

    /// One step of a node (`InferenceStep`): exactly one target among nodeName, serviceName, serviceUrl.
    public struct Step: Sendable {
        public var name: Located<String>?
        public var nodeName: Located<String>?
        public var serviceName: Located<String>?
        public var serviceURL: Located<String>?
        public var data: Located<String>?
        public var mapPredictionsToInstances: Bool
        public var weight: Located<Int>?
        public var condition: Located<String>?
        public var dependency: Located<String>?
        public var location: SourceLocation
    }

    /// `routerTimeouts`, in seconds.
    public struct RouterTimeouts: Sendable, Equatable {
        public var serverRead: Int?
        public var serverWrite: Int?
        public var serverIdle: Int?
        public var serviceClient: Int?
    }

    public var meta: ObjectMeta
    /// Nodes in the order written (a Go map: the graph JSON sorts them by name).
    public var nodes: [Node]
    /// `resources`, `affinity` and `tolerations` pass through to the router's pod as written.
    public var resources: Value?
    public var affinity: Value?
    public var tolerations: Value?
    public var nodeSelector: [String: String]
    public var nodeName: String?
    public var serviceAccountName: String?
    /// `timeout`: the Knative revision's `timeoutSeconds`.
    public var timeout: Located<Int>?
    public var routerTimeouts: RouterTimeouts?
    public var minReplicas: Located<Int>?
    public var maxReplicas: Located<Int>?
    public var scaleTarget: Located<Int>?
    public var scaleMetric: Located<String>?
    /// Where `spec.nodes` is, else the document.
    public var nodesLocation: SourceLocation
    public var location: SourceLocation

    public var name: String { meta.name?.value ?? "" }
    public var namespace: String { meta.namespace?.value ?? "default" }

    init(document: SourceDocument) {
        let root = document.root
        meta = ObjectMeta(root)
        location = root.location
        let spec = root["spec"]
        nodesLocation = spec?["nodes"]?.location ?? root.location
        nodes = (spec?["nodes"]?.mapping ?? []).compactMap { pair in
            guard let key = pair.key.scalar?.text else { return nil }
            return Node(
                name: Located(key, at: pair.key.location), routerType: pair.value.located("routerType"),
                steps: (pair.value["steps"]?.sequence ?? []).map(Self.step))
        }
        resources = spec?["resources"].map(Value.init)
        affinity = spec?["affinity"].map(Value.init)
        tolerations = spec?["tolerations"].map(Value.init)
        nodeSelector = spec?.stringMap("nodeSelector") ?? [:]
        nodeName = spec?.located("nodeName")?.value
        serviceAccountName = spec?.located("serviceAccountName")?.value
        timeout = spec?.locatedInt("timeout")
        if let t = spec?["routerTimeouts"] {
            routerTimeouts = RouterTimeouts(
                serverRead: t.locatedInt("serverRead")?.value, serverWrite: t.locatedInt("serverWrite")?.value,
                serverIdle: t.locatedInt("serverIdle")?.value, serviceClient: t.locatedInt("serviceClient")?.value)
        }
        minReplicas = spec?.locatedInt("minReplicas")
        maxReplicas = spec?.locatedInt("maxReplicas")
        scaleTarget = spec?.locatedInt("scaleTarget")
        scaleMetric = spec?.located("scaleMetric")
    }

    static func step(_ n: ISVCCore.Node) -> Step {
        Step(
            name: n.located("name"), nodeName: n.located("nodeName"), serviceName: n.located("serviceName"),
            serviceURL: n.located("serviceUrl"), data: n.located("data"),
            mapPredictionsToInstances: n.bool("mapPredictionsToInstances") ?? false, weight: n.locatedInt("weight"),
            condition: n.located("condition"), dependency: n.located("dependency"), location: n.location)
    }
}
