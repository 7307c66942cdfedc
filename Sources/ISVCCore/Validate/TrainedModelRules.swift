import Foundation

/// KServe's TrainedModel webhook (`trainedmodel_webhook.go`: the name, the storageUri's scheme) and
/// the TrainedModel controller's conditions (`controller.go`): the parent InferenceService exists, its
/// predictor serves several models, and its memory limit holds every model allocated to it. A model
/// that passes is written into the parent's model config; one that does not is left out, as the
/// controller leaves it, with its condition's message as a warning.
struct TrainedModelRules {
    let diagnostics: Diagnostics
    let config: ClusterConfig

    static let namePattern = "^[a-zA-Z0-9_-]+$"
    /// The agent's puller downloads these (`storage.GetAllProtocol`).
    static let storagePrefixes = ["s3://", "gs://", "https://", "http://"]

    /// The models each InferenceService (`namespace/name`) serves, allocated in input order while the
    /// predictor's memory limit holds them (a cluster allocates in the order it reconciles).
    func allocate(_ models: [TrainedModel], services: [InferenceService]) -> [String: [TrainedModel]] {
        var parents: [String: InferenceService] = [:]
        for isvc in services { parents["\(isvc.namespace)/\(isvc.name)"] = isvc }
        var allocated: [String: [TrainedModel]] = [:]
        var used: [String: Decimal] = [:]
        for model in models where accepted(model) {
            let parentName = model.inferenceService?.value ?? ""
            let key = "\(model.namespace)/\(parentName)"
            let at = model.inferenceService?.location ?? model.location
            guard let parent = parents[key] else {
                notServed(
                    "TrainedModel \(model.name): InferenceService \(key) is not in the input; KServe deletes a TrainedModel whose InferenceService does not exist",
                    at: at)
                continue
            }
            guard parent.predictor.isMultiModel else {
                notServed(
                    "Inference Service \"\(parentName)\" predictor is not configured for multi-model serving. Trained Model \"\(model.name)\" cannot deploy",
                    at: at)
                continue
            }
            let total = (used[key] ?? 0) + (model.memory.flatMap { Quantities.amount($0.value) } ?? 0)
            guard let limit = memoryLimit(parent.predictor), total <= limit else {
                notServed(
                    "Inference Service \"\(parentName)\" memory resources are not available. Trained Model \"\(model.name)\" cannot deploy "
                        + "(the models allocated to it would need more than its predictor's memory limit)",
                    at: model.memory?.location ?? model.location)
                continue
            }
            used[key] = total
            allocated[key, default: []].append(model)
        }
        return allocated
    }

    /// The webhook's checks; a model that fails them is refused by the API server.
    func accepted(_ model: TrainedModel) -> Bool {
        var ok = true
        if model.name.range(of: Self.namePattern, options: .regularExpression) == nil {
            diagnostics.report(
                "the Trained Model \"\(model.name)\" is invalid: a Trained Model name must consist of alphanumeric characters, '_', or '-'. "
                    + "(e.g. \"my-Name\" or \"abc_123\", regex used for validation is '\(Self.namePattern)')",
                at: model.meta.name?.location ?? model.location, rule: KServeRule.trainedModel)
            ok = false
        }
        let uri = model.storageURI?.value ?? ""
        if !Self.storagePrefixes.contains(where: { uri.hasPrefix($0) }) {
            diagnostics.report(
                "the Trained Model \"\(model.name)\" storageUri field is invalid. The storage uri must start with one of the prefixes: "
                    + "\(Self.storagePrefixes.joined(separator: ", ")). (the storage uri given is \"\(uri)\")",
                at: model.storageURI?.location ?? model.location, rule: KServeRule.trainedModel)
            ok = false
        }
        return ok
    }

    /// The predictor container's memory limit, after KServe's resource defaults.
    func memoryLimit(_ predictor: Predictor) -> Decimal? {
        let container = predictor.pod.containers.first?.fields ?? predictor.model?.container.fields ?? [:]
        let text =
            container["resources"]?[path: ["limits", "memory"]]?.string
            ?? config.defaultResources[path: ["limits", "memory"]]?.string ?? ""
        return Quantities.amount(text)
    }

    func notServed(_ message: String, at location: SourceLocation) {
        diagnostics.report(message, at: location, rule: KServeRule.trainedModelNotServed)
    }
}
