/// Everything read from the input files: the InferenceServices to compile and the cluster state
/// they compile against (runtimes, ConfigMaps).
public struct Inputs: Sendable {
    public var inferenceServices: [InferenceService] = []
    /// TrainedModels for multi-model InferenceServices.
    public var trainedModels: [TrainedModel] = []
    /// InferenceGraphs: routers whose steps call the InferenceServices.
    public var inferenceGraphs: [InferenceGraph] = []
    /// LLMInferenceServices, and the LLMInferenceServiceConfigs (presets) of the input.
    public var llmServices: [LLMInferenceService] = []
    public var llmConfigs: [LLMInferenceService] = []
    /// Runtimes from the input, then the built-in ClusterServingRuntimes not overridden by name.
    public var runtimes: [ServingRuntime] = []
    public var config = ClusterConfig()
    /// Kinds present in the input that `isvc` does not compile (passed over with a note).
    public var ignored: [String] = []
    /// Istio objects from the input (VirtualService, DestinationRule, Gateway, ...), as values.
    public var istio: [Value] = []
    /// The same objects as documents, with positions, for the Istio rules.
    public var istioDocuments: [SourceDocument] = []
}

/// Stage 1 and 2 of the pipeline: source text -> documents -> typed inputs, with schema checks.
public enum InputLoader {
    public struct Source: Sendable {
        public var path: String
        public var text: String
        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    public static func load(_ sources: [Source], defaultNamespace: String, diagnostics: Diagnostics) -> Inputs {
        var inputs = Inputs()
        var configMaps: [SourceDocument] = []
        var inputRuntimes: [ServingRuntime] = []
        for source in sources {
            // One batch of documents at a time: typed, then schema-checked, then its trees are dropped.
            YAMLReader.read(text: source.text, file: source.path, diagnostics: diagnostics) { documents in
                var schemaChecks: [(SourceDocument, String)] = []
                for document in documents {
                    if let kind = classify(
                        document, into: &inputs, runtimes: &inputRuntimes, configMaps: &configMaps,
                        diagnostics: diagnostics)
                    {
                        schemaChecks.append((document, kind))
                    }
                }
                checkSchemas(schemaChecks, diagnostics: diagnostics)
            }
        }
        // ConfigMaps apply before anything that depends on them, whatever their order in the input.
        let reader = ConfigMapReader(diagnostics: diagnostics)
        for document in configMaps { reader.apply(document, to: &inputs.config) }
        for i in inputs.inferenceServices.indices where inputs.inferenceServices[i].meta.namespace == nil {
            inputs.inferenceServices[i].namespace = defaultNamespace
        }
        for i in inputs.trainedModels.indices where inputs.trainedModels[i].meta.namespace == nil {
            inputs.trainedModels[i].meta.namespace = Located(defaultNamespace, at: inputs.trainedModels[i].location)
        }
        for i in inputs.inferenceGraphs.indices where inputs.inferenceGraphs[i].meta.namespace == nil {
            inputs.inferenceGraphs[i].meta.namespace = Located(defaultNamespace, at: inputs.inferenceGraphs[i].location)
        }
        for i in inputs.llmServices.indices where inputs.llmServices[i].meta.namespace == nil {
            inputs.llmServices[i].meta.namespace = Located(defaultNamespace, at: inputs.llmServices[i].location)
        }
        for i in inputs.llmConfigs.indices where inputs.llmConfigs[i].meta.namespace == nil {
            inputs.llmConfigs[i].meta.namespace = Located(defaultNamespace, at: inputs.llmConfigs[i].location)
        }
        for i in inputRuntimes.indices where !inputRuntimes[i].clusterScoped && inputRuntimes[i].meta.namespace == nil {
            inputRuntimes[i].meta.namespace = Located(defaultNamespace, at: inputRuntimes[i].location)
        }
        for i in inputs.istioDocuments.indices where inputs.istioDocuments[i].root["metadata"]?["namespace"] == nil {
            inputs.istioDocuments[i].root = ContainerNaming.updating(inputs.istioDocuments[i].root, ["metadata"]) { meta in
                guard var pairs = meta.mapping else { return meta }
                pairs.append(
                    Pair(
                        key: Node(.scalar(Scalar(text: "namespace", tag: .str, plain: true)), at: meta.location),
                        value: Node(.scalar(Scalar(text: defaultNamespace, tag: .str, plain: true)), at: meta.location)))
                return Node(.mapping(pairs), at: meta.location)
            }
        }
        inputs.istio = inputs.istioDocuments.map { Value($0.root) }
        let overridden = Set(inputRuntimes.filter(\.clusterScoped).map(\.name))
        RuntimeRules.check(
            inputRuntimes, builtIns: BuiltInRuntimes.all.filter { !overridden.contains($0.name) },
            diagnostics: diagnostics)
        inputs.runtimes = inputRuntimes + BuiltInRuntimes.all.filter { !overridden.contains($0.name) }
        return inputs
    }

    /// Checks documents against their kinds' schemas, in parallel when there are many.
    static func checkSchemas(_ documents: [(SourceDocument, String)], diagnostics: Diagnostics) {
        let strict = diagnostics.strict
        if documents.count >= 64 { _ = EmbeddedSchemas.inferenceServiceSchema }
        let patterns = SchemaPatterns()
        let found = Parallel.map(documents.count) { i -> [Diagnostic] in
            let (document, kind) = documents[i]
            let local = Diagnostics(strict: strict)
            let checker = SchemaChecker(kind: kind, diagnostics: local, patterns: patterns)
            switch kind {
            case "InferenceService":
                checker.check(ContainerNaming.applied(to: document.root), against: EmbeddedSchemas.inferenceServiceSchema)
            case "ClusterServingRuntime":
                checker.check(document.root, against: EmbeddedSchemas.clusterServingRuntimeSchema)
            case "ServingRuntime":
                checker.check(document.root, against: EmbeddedSchemas.servingRuntimeSchema)
            case "TrainedModel":
                checker.check(document.root, against: EmbeddedSchemas.trainedModelSchema)
            case "InferenceGraph":
                checker.check(document.root, against: EmbeddedSchemas.inferenceGraphSchema)
            default:
                if let schema = EmbeddedSchemas.istio(kind) ?? EmbeddedSchemas.llm(kind) { checker.check(document.root, against: schema) }
            }
            return local.all
        }
        for list in found { for d in list { diagnostics.append(d) } }
    }

    /// Sorts a document into the inputs; returns its kind when it needs a schema check.
    static func classify(
        _ document: SourceDocument, into inputs: inout Inputs, runtimes: inout [ServingRuntime],
        configMaps: inout [SourceDocument], diagnostics: Diagnostics
    ) -> String? {
        let root = document.root
        guard root.mapping != nil else {
            diagnostics.report(
                "a document must be a mapping with apiVersion and kind, not \(SchemaChecker(kind: "", diagnostics: diagnostics).describe(root))",
                at: root.location, rule: InputRule.notAMapping)
            return nil
        }
        guard let kind = root.located("kind"), let apiVersion = root.located("apiVersion") else {
            let missing = root["kind"] == nil ? "kind" : "apiVersion"
            diagnostics.report(
                "the document has no \(missing); isvc reads InferenceService, InferenceGraph, TrainedModel, ServingRuntime, ClusterServingRuntime, LLMInferenceService, LLMInferenceServiceConfig and ConfigMap documents",
                at: root.location, rule: InputRule.noKind)
            return nil
        }
        let group = apiVersion.value.split(separator: "/").first.map(String.init) ?? ""
        switch (group, kind.value) {
        case ("serving.kserve.io", "InferenceService"):
            guard expectVersion(apiVersion, ["serving.kserve.io/v1beta1"], kind: kind.value, diagnostics) else { return nil }
            inputs.inferenceServices.append(InferenceService(document: document))
            return "InferenceService"
        case ("serving.kserve.io", "ServingRuntime"), ("serving.kserve.io", "ClusterServingRuntime"):
            guard expectVersion(apiVersion, ["serving.kserve.io/v1alpha1"], kind: kind.value, diagnostics) else { return nil }
            let cluster = kind.value == "ClusterServingRuntime"
            runtimes.append(ServingRuntime(document: document, clusterScoped: cluster))
            return kind.value
        case ("serving.kserve.io", "TrainedModel"):
            guard expectVersion(apiVersion, ["serving.kserve.io/v1alpha1"], kind: kind.value, diagnostics) else { return nil }
            inputs.trainedModels.append(TrainedModel(document: document))
            return kind.value
        case ("serving.kserve.io", "InferenceGraph"):
            guard expectVersion(apiVersion, ["serving.kserve.io/v1alpha1"], kind: kind.value, diagnostics) else { return nil }
            inputs.inferenceGraphs.append(InferenceGraph(document: document))
            return kind.value
        case ("serving.kserve.io", "LLMInferenceService"), ("serving.kserve.io", "LLMInferenceServiceConfig"):
            guard expectVersion(apiVersion, LLMInferenceService.versions, kind: kind.value, diagnostics) else { return nil }
            let llmKind: LLMInferenceService.Kind = kind.value == "LLMInferenceService" ? .service : .config
            let llm = LLMConversion.stored(LLMInferenceService(document: document, kind: llmKind, apiVersion: apiVersion))
            if llmKind == .service { inputs.llmServices.append(llm) } else { inputs.llmConfigs.append(llm) }
            return "\(kind.value)/\(apiVersion.value.dropFirst("serving.kserve.io/".count))"
        case ("networking.istio.io", "VirtualService"), ("networking.istio.io", "DestinationRule"), ("networking.istio.io", "Gateway"),
            ("security.istio.io", "RequestAuthentication"), ("security.istio.io", "AuthorizationPolicy"):
            let versions = group == "networking.istio.io" ? ["v1", "v1beta1", "v1alpha3"] : ["v1", "v1beta1"]
            guard expectVersion(apiVersion, versions.map { "\(group)/\($0)" }, kind: kind.value, diagnostics) else { return nil }
            inputs.istioDocuments.append(document)
            return kind.value
        case ("v1", "ConfigMap"):
            let name = root["metadata"]?.located("name")?.value ?? ""
            if ConfigMapReader.recognised.contains(name) {
                configMaps.append(document)
            } else {
                inputs.ignored.append("ConfigMap \(name)")
            }
        default:
            inputs.ignored.append("\(kind.value) \(root["metadata"]?.located("name")?.value ?? "")")
            diagnostics.report(
                "\(apiVersion.value) \(kind.value) is not an input isvc reads; the document is ignored",
                at: kind.location, rule: InputRule.unknownKind)
        }
        return nil
    }

    static func expectVersion(
        _ apiVersion: Located<String>, _ supported: [String], kind: String,
        _ diagnostics: Diagnostics
    ) -> Bool {
        if supported.contains(apiVersion.value) { return true }
        diagnostics.report(
            "\(kind) apiVersion \"\(apiVersion.value)\" is not supported; use \(supported.joined(separator: " or "))",
            at: apiVersion.location, rule: InputRule.apiVersion)
        return false
    }
}

extension InferenceService {
    public var namespace: String {
        get { meta.namespace?.value ?? "default" }
        set { meta.namespace = Located(newValue, at: meta.location) }
    }
}
