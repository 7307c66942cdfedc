/// An LLMInferenceService's spec after its configs are merged and rendered: the fields the
/// controller reads, typed; pod templates, the pool spec and the route spec pass through as trees.
public struct LLMServiceSpec: Sendable {
    public struct Router: Sendable {
        /// `route`: nil when absent; `httpSpec` is the managed route's spec, `httpRefs` existing routes.
        public var route: Route?
        public var gateway: Gateway?
        public var scheduler: Scheduler?
    }

    public struct Route: Sendable {
        public var httpRefs: [String]
        public var httpSpec: Value?
    }

    public struct Gateway: Sendable {
        public var refs: [Value]
    }

    public struct Scheduler: Sendable {
        public var poolSpec: Value?
        public var poolRef: String?
        public var template: Value?
        public var labels: [String: String]
        public var annotations: [String: String]
        public var inlineConfig: Value?
        public var replicas: Int?
    }

    /// `prefill`: the prefill workload of a disaggregated (P/D) service.
    public struct Prefill: Sendable {
        public var replicas: Int?
        public var labels: [String: String]
        public var annotations: [String: String]
        public var template: Value?
        public var rolloutStrategy: Value?
    }

    public var modelName: String
    public var modelURI: String
    public var replicas: Int?
    /// `spec.labels` and `spec.annotations`: for the workload's pods.
    public var labels: [String: String]
    public var annotations: [String: String]
    /// `template`: the main container's pod (a PodSpec, as merged).
    public var template: Value?
    public var storageInitializerEnabled: Bool
    public var rolloutStrategy: Value?
    public var router: Router?
    public var prefill: Prefill?
    /// The whole merged spec, for what is written back as it is.
    public var tree: Value

    init(_ spec: Value) {
        tree = spec
        modelName = spec[path: ["model", "name"]]?.string ?? ""
        modelURI = spec[path: ["model", "uri"]]?.string ?? ""
        replicas = spec["replicas"]?.int
        labels = Self.strings(spec["labels"])
        annotations = Self.strings(spec["annotations"])
        template = Self.present(spec["template"])
        storageInitializerEnabled = spec[path: ["storageInitializer", "enabled"]] != .bool(false)
        rolloutStrategy = Self.present(spec["rolloutStrategy"])
        prefill = Self.present(spec["prefill"]).map {
            Prefill(
                replicas: $0["replicas"]?.int, labels: Self.strings($0["labels"]), annotations: Self.strings($0["annotations"]),
                template: Self.present($0["template"]), rolloutStrategy: Self.present($0["rolloutStrategy"]))
        }
        if let r = Self.present(spec["router"]) {
            router = Router(
                route: Self.present(r["route"]).map {
                    Route(
                        httpRefs: ($0[path: ["http", "refs"]]?.array ?? []).compactMap { $0["name"]?.string },
                        httpSpec: Self.present($0[path: ["http", "spec"]]))
                },
                gateway: Self.present(r["gateway"]).map { Gateway(refs: $0["refs"]?.array ?? []) },
                scheduler: Self.present(r["scheduler"]).map(Self.scheduler))
        }
    }

    static func scheduler(_ s: Value) -> Scheduler {
        let ref = s[path: ["pool", "ref", "name"]]?.string
        return Scheduler(
            poolSpec: present(s[path: ["pool", "spec"]]), poolRef: (ref ?? "").isEmpty ? nil : ref,
            template: present(s["template"]), labels: strings(s["labels"]), annotations: strings(s["annotations"]),
            inlineConfig: present(s[path: ["config", "inline"]]), replicas: s["replicas"]?.int)
    }

    static func present(_ v: Value?) -> Value? {
        guard let v, v != .null else { return nil }
        return v
    }

    static func strings(_ v: Value?) -> [String: String] {
        (v?.object ?? [:]).compactMapValues(\.string)
    }

    /// A managed scheduler: the EPP, its pool and RBAC are created (`scheduler` set, no `pool.ref`).
    public var managedScheduler: Scheduler? {
        guard let s = router?.scheduler, s.poolRef == nil else { return nil }
        return s
    }
}
