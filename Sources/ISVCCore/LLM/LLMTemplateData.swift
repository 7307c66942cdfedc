/// The data KServe's preset templates run on, as Go's reflection shows it to `text/template`:
/// `struct { *v1alpha2.LLMInferenceService; GlobalConfig templateGlobalConfig }`, built from the
/// document. The fields the presets read are typed as the Go structs type them
/// (`llm_inference_service_types.go`: pointers where Go has pointers, so a nil one fails as in Go);
/// pod specs and other nested types are opaque values that functions receive.
extension LLMTemplateRendering {
    func data(poolName: String) -> GoValue {
        let gateway = config.kserveIngressGateway.split(separator: "/", maxSplits: 1).map(String.init)
        let global = GoTemplateStruct(
            type: "llmisvc.templateGlobalConfig",
            fields: [
                GoTemplateField("SystemNamespace", .string(LLMConfigCombiner.systemNamespace)),
                GoTemplateField("IngressGatewayName", .string(gateway.count == 2 ? gateway[1] : gateway.first ?? "")),
                GoTemplateField("IngressGatewayNamespace", .string(gateway.count == 2 ? gateway[0] : "")),
                GoTemplateField("EnableTLS", .bool(config.enableLLMInferenceServiceTLS)),
                GoTemplateField("ModelBasedRoutingHeaderName", .string(config.modelBasedRoutingHeaderName)),
                GoTemplateField("InferencePoolNamespacedName", .string("\(service.namespace)/\(poolName)")),
            ])
        let meta = GoTemplateStruct(
            type: "v1.ObjectMeta",
            fields: [
                GoTemplateField("Name", .string(service.name)), GoTemplateField("GenerateName", .string("")),
                GoTemplateField("Namespace", .string(service.namespace)), GoTemplateField("UID", .string("", type: "types.UID")),
                GoTemplateField("Generation", .int(0, type: "int64")),
                GoTemplateField("Labels", Self.stringMap(service.meta.labels)),
                GoTemplateField("Annotations", Self.stringMap(service.meta.annotations)),
            ])
        let typeMeta = GoTemplateStruct(
            type: "v1.TypeMeta",
            fields: [
                GoTemplateField("Kind", .string("LLMInferenceService")),
                GoTemplateField("APIVersion", .string("serving.kserve.io/v1alpha2")),
            ])
        let llm = GoTemplateStruct(
            type: "v1alpha2.LLMInferenceService",
            fields: [
                GoTemplateField("TypeMeta", .structure(typeMeta), embedded: true),
                GoTemplateField("ObjectMeta", .structure(meta), embedded: true),
                GoTemplateField("Spec", .structure(Self.spec(service.spec))),
            ])
        return .structure(
            GoTemplateStruct(
                type: "struct { *v1alpha2.LLMInferenceService; GlobalConfig llmisvc.templateGlobalConfig }",
                fields: [
                    GoTemplateField("LLMInferenceService", .pointer(.structure(llm)), embedded: true),
                    GoTemplateField("GlobalConfig", .structure(global)),
                ]))
    }

    static func stringMap(_ m: [String: String]) -> GoValue {
        .map(m.isEmpty ? nil : m.mapValues { .string($0) }, element: .string(""))
    }

    /// A `*T` field: nil when absent (or null) in the document.
    static func pointer(_ v: Value?, _ zero: GoValue, _ make: (Value) -> GoValue) -> GoValue {
        guard let v, v != .null else { return .nilPointer(zero) }
        return .pointer(make(v))
    }

    static func int32(_ v: Value?) -> GoValue {
        pointer(v, .int(0, type: "int32")) { .int(Int64($0.int ?? 0), type: "int32") }
    }

    static func opaque(_ type: String) -> (Value) -> GoValue {
        { .opaque(GoTemplateOpaque(type: type, payload: $0)) }
    }

    static func podSpec(_ v: Value?) -> GoValue {
        pointer(v, .opaque(GoTemplateOpaque(type: "v1.PodSpec", payload: Value.null)), opaque("v1.PodSpec"))
    }

    static func parallelism(_ v: Value?) -> GoValue {
        let zero = GoTemplateStruct(type: "v1alpha2.ParallelismSpec", fields: parallelismFields(nil))
        return pointer(v, .structure(zero)) {
            .structure(GoTemplateStruct(type: "v1alpha2.ParallelismSpec", fields: parallelismFields($0)))
        }
    }

    static func parallelismFields(_ p: Value?) -> [GoTemplateField] {
        [
            GoTemplateField("Tensor", int32(p?["tensor"])), GoTemplateField("Pipeline", int32(p?["pipeline"])),
            GoTemplateField("Data", int32(p?["data"])), GoTemplateField("DataLocal", int32(p?["dataLocal"])),
            GoTemplateField("DataRPCPort", int32(p?["dataRPCPort"])), GoTemplateField("Expert", .bool(p?["expert"] == .bool(true))),
        ]
    }

    /// `WorkloadSpec`'s fields (inline in the spec, and the type of `prefill`).
    static func workloadFields(_ w: Value?) -> [GoTemplateField] {
        [
            GoTemplateField("Replicas", int32(w?["replicas"])), GoTemplateField("Parallelism", parallelism(w?["parallelism"])),
            GoTemplateField("Template", podSpec(w?["template"])), GoTemplateField("Worker", podSpec(w?["worker"])),
            GoTemplateField("Labels", stringMap((w?["labels"]?.object ?? [:]).compactMapValues(\.string))),
            GoTemplateField("Annotations", stringMap((w?["annotations"]?.object ?? [:]).compactMapValues(\.string))),
            GoTemplateField(
                "Scaling",
                pointer(
                    w?["scaling"], .opaque(GoTemplateOpaque(type: "v1alpha2.ScalingSpec", payload: Value.null)),
                    opaque("v1alpha2.ScalingSpec"))),
            GoTemplateField(
                "RolloutStrategy",
                pointer(
                    w?["rolloutStrategy"], .opaque(GoTemplateOpaque(type: "v1alpha2.RolloutStrategy", payload: Value.null)),
                    opaque("v1alpha2.RolloutStrategy"))),
            GoTemplateField(
                "KVCacheOffloading",
                pointer(
                    w?["kvCacheOffloading"], .opaque(GoTemplateOpaque(type: "v1alpha2.KVCacheOffloadingSpec", payload: Value.null)),
                    opaque("v1alpha2.KVCacheOffloadingSpec"))),
        ]
    }

    static func spec(_ s: Value) -> GoTemplateStruct {
        let model = GoTemplateStruct(
            type: "v1alpha2.LLMModelSpec",
            fields: [
                GoTemplateField(
                    "URI",
                    .opaque(
                        GoTemplateOpaque(
                            type: "apis.URL", payload: s[path: ["model", "uri"]] ?? .null, description: s[path: ["model", "uri"]]?.string))),
                GoTemplateField("Name", pointer(s[path: ["model", "name"]], .string("")) { .string($0.string ?? "") }),
            ])
        let workload = GoTemplateStruct(type: "v1alpha2.WorkloadSpec", fields: workloadFields(s))
        let prefillZero = GoValue.structure(GoTemplateStruct(type: "v1alpha2.WorkloadSpec", fields: workloadFields(nil)))
        return GoTemplateStruct(
            type: "v1alpha2.LLMInferenceServiceSpec",
            fields: [
                GoTemplateField("Model", .structure(model)), GoTemplateField("WorkloadSpec", .structure(workload), embedded: true),
                GoTemplateField(
                    "Router",
                    pointer(
                        s["router"], .opaque(GoTemplateOpaque(type: "v1alpha2.RouterSpec", payload: Value.null)),
                        opaque("v1alpha2.RouterSpec"))),
                GoTemplateField(
                    "Prefill",
                    pointer(s["prefill"], prefillZero) {
                        .structure(GoTemplateStruct(type: "v1alpha2.WorkloadSpec", fields: workloadFields($0)))
                    }),
                GoTemplateField(
                    "Tracing",
                    pointer(
                        s["tracing"], .opaque(GoTemplateOpaque(type: "v1alpha2.TracingSpec", payload: Value.null)),
                        opaque("v1alpha2.TracingSpec"))),
            ])
    }

    /// A decoded JSON value as a tree (integral numbers as integers).
    static func value(_ v: GoJSONValue) -> Value {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d):
            if d == d.rounded(), abs(d) < 9.0e15 { return .int(Int(d)) }
            return .double(d)
        case .string(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
        case .array(let items): return .array(items.map(value))
        case .object(let members):
            var o: [String: Value] = [:]
            for (k, m) in members { o[String(decoding: k, as: UTF8.self)] = value(m) }
            return .object(o)
        }
    }
}
