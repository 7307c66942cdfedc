/// The model config of a multi-model InferenceService: the ConfigMap `modelconfig-<isvc>-0` KServe's
/// modelconfig reconciler creates (`CreateEmptyModelConfig`: the isvc's labels, `models.json` of `[]`,
/// owned by the isvc), with the TrainedModels the TrainedModel controller writes into it. The agent's
/// puller mounts it at /mnt/configs.
enum ModelConfig {
    /// One shard: KServe's memory strategy always answers shard 0.
    static func name(_ isvc: String) -> String { "modelconfig-\(isvc)-0" }

    static func configMap(_ service: ValidatedService, owner: Value) -> Value? {
        guard service.isvc.predictor.isMultiModel else { return nil }
        return Meta.object(
            apiVersion: "v1", kind: "ConfigMap", name: name(service.name), namespace: service.namespace,
            labels: service.isvc.meta.labels, annotations: [:], owner: owner, spec: nil,
            extra: ["data": ["models.json": .string(modelsJSON(service.trainedModels))]])
    }

    /// `models.json` as `encoding/json` writes `ModelConfigs`. KServe builds the list from a Go map, so
    /// its order changes from one write to the next; here the models are sorted by name.
    static func modelsJSON(_ models: [TrainedModel]) -> String {
        let entries = models.sorted { $0.name < $1.name }.map { m in
            let memory = m.memory.map { Quantities.canonical($0.value) ?? $0.value } ?? "0"
            return #"{"modelName":"# + GoJSON.quote(m.name) + #","modelSpec":{"storageUri":"#
                + GoJSON.quote(m.storageURI?.value ?? "") + #","framework":"# + GoJSON.quote(m.framework?.value ?? "")
                + #","memory":"# + GoJSON.quote(memory) + "}}"
        }
        return "[" + entries.joined(separator: ",") + "]"
    }
}
