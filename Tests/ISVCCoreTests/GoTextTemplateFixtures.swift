import Testing

@testable import ISVCCore

/// The data and functions of /tmp/gotpl-go/main.go, the Go program the expected values come
/// from: KServe's shape (`struct { *v1alpha2.LLMInferenceService; GlobalConfig *llmisvc.Config }`,
/// the service embedding `metav1.TypeMeta` and `metav1.ObjectMeta`, its spec embedding
/// `v1alpha2.WorkloadSpec`).
enum Fixture: String, Sendable {
    case full, bare, nilsvc

    static func int32(_ value: Int64) -> GoValue { .pointer(.int(value, type: "int32")) }
    static let nilInt32 = GoValue.nilPointer(.int(0, type: "int32"))
    static let noLabels = GoValue.map(nil, element: .string(""))

    static func labels(_ entries: [String: String]) -> GoValue {
        .map(entries.mapValues { .string($0) }, element: .string(""))
    }

    static func parallelism(tensor: GoValue = nilInt32, data: GoValue = nilInt32, expert: Bool = false) -> GoValue {
        .structure(
            GoTemplateStruct(
                type: "v1alpha2.ParallelismSpec",
                fields: [
                    GoTemplateField("Tensor", tensor), GoTemplateField("Pipeline", nilInt32), GoTemplateField("Data", data),
                    GoTemplateField("DataLocal", nilInt32), GoTemplateField("Expert", .bool(expert)),
                ]))
    }

    /// A `corev1.PodSpec` the template only hands to `shutdownTimeout`.
    struct PodSpec: Sendable { var terminationGracePeriodSeconds: Int64? }

    static func podSpec(_ grace: Int64?) -> GoValue {
        .opaque(GoTemplateOpaque(type: "corev1.PodSpec", payload: PodSpec(terminationGracePeriodSeconds: grace)))
    }

    static func workload(replicas: GoValue = nilInt32, parallelism: GoValue? = nil, template: GoValue? = nil) -> GoValue {
        .structure(
            GoTemplateStruct(
                type: "v1alpha2.WorkloadSpec",
                fields: [
                    GoTemplateField("Replicas", replicas),
                    GoTemplateField("Parallelism", parallelism.map { .pointer($0) } ?? .nilPointer(Self.parallelism())),
                    GoTemplateField("Template", template.map { .pointer($0) } ?? .nilPointer(podSpec(nil))),
                ]))
    }

    static func kvCacheOffloading(enabled: Bool = false, size: String = "") -> GoValue {
        .structure(
            GoTemplateStruct(
                type: "v1alpha2.KVCacheOffloadingSpec",
                fields: [GoTemplateField("Enabled", .bool(enabled)), GoTemplateField("Size", .string(size))]))
    }

    static func spec(
        modelName: String?, uri: String, workload: GoValue, prefill: GoValue?, kv: GoValue?, args: [String]?
    )
        -> GoValue
    {
        let model = GoTemplateStruct(
            type: "v1alpha2.LLMModelSpec",
            fields: [
                GoTemplateField("URI", .string(uri)),
                GoTemplateField("Name", modelName.map { .pointer(.string($0)) } ?? .nilPointer(.string(""))),
            ])
        return .structure(
            GoTemplateStruct(
                type: "v1alpha2.LLMInferenceServiceSpec",
                fields: [
                    GoTemplateField("Model", .structure(model)),
                    GoTemplateField("WorkloadSpec", workload, embedded: true),
                    GoTemplateField("Prefill", prefill.map { .pointer($0) } ?? .nilPointer(Self.workload())),
                    GoTemplateField("KVCacheOffloading", kv.map { .pointer($0) } ?? .nilPointer(kvCacheOffloading())),
                    GoTemplateField("Args", .slice(args.map { $0.map { .string($0) } }, element: .string(""))),
                    GoTemplateField("secret", .string("")),
                ]))
    }

    static func service(kind: String, name: String, namespace: String, labels: GoValue, spec: GoValue) -> GoValue {
        let typeMeta = GoTemplateStruct(
            type: "metav1.TypeMeta",
            fields: [
                GoTemplateField("Kind", .string(kind)),
                GoTemplateField("APIVersion", .string(kind.isEmpty ? "" : "serving.kserve.io/v1alpha2")),
            ])
        let objectMeta = GoTemplateStruct(
            type: "metav1.ObjectMeta",
            fields: [
                GoTemplateField("Name", .string(name)), GoTemplateField("Namespace", .string(namespace)), GoTemplateField("Labels", labels),
                GoTemplateField("Annotations", noLabels), GoTemplateField("Generation", .int(0, type: "int64")),
            ])
        return .structure(
            GoTemplateStruct(
                type: "v1alpha2.LLMInferenceService",
                fields: [
                    GoTemplateField("TypeMeta", .structure(typeMeta), embedded: true),
                    GoTemplateField("ObjectMeta", .structure(objectMeta), embedded: true),
                    GoTemplateField("Spec", spec),
                ]))
    }

    static func config(tls: Bool, namespace: String, labels: GoValue) -> GoValue {
        .structure(
            GoTemplateStruct(
                type: "llmisvc.Config",
                fields: [
                    GoTemplateField("EnableTLS", .bool(tls)), GoTemplateField("SystemNamespace", .string(namespace)),
                    GoTemplateField("Labels", labels),
                ]))
    }

    static func root(service: GoValue, config: GoValue) -> GoValue {
        .structure(
            GoTemplateStruct(
                type: "struct { *v1alpha2.LLMInferenceService; GlobalConfig *llmisvc.Config }",
                fields: [GoTemplateField("LLMInferenceService", service, embedded: true), GoTemplateField("GlobalConfig", config)]))
    }

    var data: GoValue {
        switch self {
        case .full:
            let workload = Self.workload(
                replicas: Self.int32(0), parallelism: Self.parallelism(tensor: Self.int32(2), data: Self.int32(4), expert: true),
                template: Self.podSpec(30))
            let spec = Self.spec(
                modelName: "meta-llama", uri: "hf://meta/llama", workload: workload,
                prefill: Self.workload(parallelism: Self.parallelism(tensor: Self.int32(8))),
                kv: Self.kvCacheOffloading(enabled: true, size: "10Gi"), args: ["a", "b"])
            let service = Self.service(
                kind: "LLMInferenceService", name: "llama", namespace: "ns", labels: Self.labels(["app": "llm", "tier": "gpu"]),
                spec: spec)
            return Self.root(
                service: .pointer(service), config: .pointer(Self.config(tls: true, namespace: "kserve", labels: Self.labels(["a": "b"]))))
        case .bare:
            let spec = Self.spec(modelName: nil, uri: "hf://x", workload: Self.workload(), prefill: nil, kv: nil, args: nil)
            let service = Self.service(kind: "", name: "bare", namespace: "", labels: Self.noLabels, spec: spec)
            return Self.root(service: .pointer(service), config: .pointer(Self.config(tls: false, namespace: "", labels: Self.noLabels)))
        case .nilsvc:
            let spec = Self.spec(modelName: nil, uri: "", workload: Self.workload(), prefill: nil, kv: nil, args: nil)
            let service = Self.service(kind: "", name: "", namespace: "", labels: Self.noLabels, spec: spec)
            return Self.root(
                service: .nilPointer(service), config: .nilPointer(Self.config(tls: false, namespace: "", labels: Self.noLabels)))
        }
    }

    static let functionNames: Set<String> = ["ChildName", "kvTransferConfig", "shutdownTimeout", "fail", "nilValue"]

    /// The Swift versions of main.go's functions.
    static var functions: [String: GoTextTemplate.Function] {
        [
            "ChildName": { args in
                guard args.count == 2 else {
                    throw GoTextTemplate.ArgumentError("wrong number of args for ChildName: want 2 got \(args.count)")
                }
                for (i, arg) in args.enumerated() {
                    guard case .string = arg else {
                        throw GoTextTemplate.ArgumentError("expected string; found \(try GoFormat.print(arg))", argument: i)
                    }
                }
                guard case .string(let name, _) = args[0], case .string(let suffix, _) = args[1] else { return .untypedNil }
                return .string(name + suffix)
            },
            "kvTransferConfig": { args in
                guard case .string(let size, _)? = args.first?.field("Size") else { return .string("none") }
                return .string(#"{"size":""# + size + #""}"#)
            },
            "shutdownTimeout": { args in
                guard args.count == 2, case .int(let fallback, _) = args[1] else {
                    throw GoTextTemplate.ArgumentError("wrong number of args for shutdownTimeout: want 2 got \(args.count)")
                }
                if case .opaque(let o) = args[0].indirect, let spec = o.payload as? PodSpec,
                    let grace = spec.terminationGracePeriodSeconds
                {
                    return .int(grace, type: "int64")
                }
                return .int(fallback, type: "int64")
            },
            "fail": { args in
                guard case .string(let message, _)? = args.first else { throw GoTextTemplate.FunctionError("?") }
                throw GoTextTemplate.FunctionError(message)
            },
            "nilValue": { _ in .untypedNil },
        ]
    }
}

/// What Go printed for a template: its output, or its parse or execution error.
enum Outcome: Equatable, Sendable, CustomStringConvertible {
    case ok(String)
    case parse(String)
    case execution(String)
    case unsupported(String)

    var description: String {
        switch self {
        case .ok(let s): "ok(\(s))"
        case .parse(let s): "parse(\(s))"
        case .execution(let s): "execution(\(s))"
        case .unsupported(let s): "unsupported(\(s))"
        }
    }
}

/// One case run by /tmp/gotpl-go (its name in cases.json), with Go's outcome.
struct GoCase: Sendable, CustomTestStringConvertible {
    var name: String
    var data: Fixture
    var text: String
    var expected: Outcome

    init(_ name: String, _ data: Fixture, _ text: String, _ expected: Outcome) {
        self.name = name
        self.data = data
        self.text = text
        self.expected = expected
    }

    var testDescription: String { name }
}

func run(_ text: String, _ data: Fixture = .full, name: String = "config") -> Outcome {
    do {
        let template = try GoTextTemplate(name: name, text: text, functions: Fixture.functionNames)
        return .ok(try template.execute(data: data.data, functions: Fixture.functions))
    } catch {
        switch error.kind {
        case .parse: return .parse(error.message)
        case .execution: return .execution(error.message)
        case .unsupported: return .unsupported(error.message)
        }
    }
}
