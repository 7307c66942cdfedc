/// KServe's well-known LLMInferenceServiceConfigs (`config/llmisvcconfig/`), installed in namespace
/// `kserve`: embedded as upstream ships them (data/llmisvc-presets.yaml), read once.
extension LLMPresets {
    static let all: [LLMInferenceService] = {
        YAMLReader.read(text: yaml, file: "data/llmisvc-presets.yaml", diagnostics: Diagnostics()).compactMap { document in
            guard let apiVersion = document.root.located("apiVersion") else { return nil }
            var preset = LLMConversion.stored(LLMInferenceService(document: document, kind: .config, apiVersion: apiVersion))
            preset.meta.namespace = Located(LLMConfigCombiner.systemNamespace, at: preset.location)
            return preset
        }
    }()
}
