/// The InferenceGraph controller's resolution of `serviceName` steps (`GetPredictorEndpoint`): the
/// InferenceService's in-cluster address plus its predict path, by the model name and protocol the
/// controller reads from the spec (`GetModelName`, `GetProtocol`).
extension InferenceGraphRules {
    func resolve(_ graph: InferenceGraph, services: [String: ValidatedService]) -> [String: [Int: String]] {
        var urls: [String: [Int: String]] = [:]
        for node in graph.nodes {
            for (i, step) in node.steps.enumerated() {
                guard let target = step.serviceName, !target.value.isEmpty, (step.serviceURL?.value ?? "").isEmpty else { continue }
                let key = "\(graph.namespace)/\(target.value)"
                guard let service = services[key] else {
                    let known = inputs.inferenceServices.contains { "\($0.namespace)/\($0.name)" == key }
                    var message =
                        known
                        ? "InferenceGraph \(graph.name): InferenceService \(key) has errors, so its address is not known"
                        : "InferenceGraph \(graph.name): Failed to find graph service \(target.value): InferenceService \(key) is not in the input; "
                            + "KServe's controller waits for it and creates nothing for the graph (give the InferenceService, or a serviceUrl)"
                    let names = inputs.inferenceServices.filter { $0.namespace == graph.namespace }.map(\.name)
                    if !known, let guess = Suggestion.closest(to: target.value, in: names) { message += " (did you mean \"\(guess)\"?)" }
                    diagnostics.report(message, at: target.location, rule: KServeRule.graphTarget)
                    continue
                }
                if Keys.stopped(service.annotations) {
                    diagnostics.report(
                        "InferenceGraph \(graph.name): service \(target.value) is not ready: InferenceService \(key) is stopped (\(Keys.stop)), "
                            + "so it has no address and KServe's controller creates nothing for the graph",
                        at: target.location, rule: KServeRule.graphTarget)
                    continue
                }
                switch Self.predictPath(service) {
                case .success(let path): urls[node.name.value, default: [:]][i] = Self.address(service) + path
                case .failure(let error):
                    diagnostics.report("InferenceGraph \(graph.name): \(error.message)", at: target.location, rule: KServeRule.graphTarget)
                }
            }
        }
        return urls
    }

    struct PathError: Error {
        var message: String
    }

    /// `status.address.url`: Knative's cluster-local route, or in Standard mode the Service of the
    /// component that takes requests (the transformer, else the predictor).
    static func address(_ service: ValidatedService) -> String {
        guard service.mode == .standard else { return "http://\(service.name).\(service.namespace).svc.cluster.local" }
        let backend = service.component(.transformer) ?? service.component(.predictor)
        return "http://\(backend?.name ?? service.name).\(service.namespace).svc.cluster.local"
    }

    /// The path part of `GetPredictorEndpoint`: none for a multi-model predictor.
    static func predictPath(_ service: ValidatedService) -> Result<String, PathError> {
        let isvc = service.isvc
        let model = modelName(isvc)
        var proto: String
        if let transformer = isvc.transformer {
            proto = transformer.pod.containers.first?.env("PROTOCOL") ?? "v1"
        } else if isvc.predictor.isMultiModel {
            return .success("")
        } else if let spec = isvc.predictor.model {
            proto = spec.protocolVersion?.value ?? "v1"
            if spec.runtime != nil, let runtime = service.component(.predictor)?.runtime, !runtime.protocolVersions.isEmpty {
                guard let first = runtime.protocolVersions.first(where: { $0 == "v1" || $0 == "v2" }) else {
                    return .failure(
                        PathError(
                            message: "the runtime does not support a protocol compatible with Inference Graphs (runtime \(runtime.name) "
                                + "lists \(runtime.protocolVersions.joined(separator: ", ")); KServe's controller creates nothing for the graph"
                        ))
                }
                proto = first
            }
        } else {
            let containers = isvc.predictor.pod.containers
            let collocated = containers.first { $0.name == "transformer-container" }
            proto = (collocated ?? containers.first)?.env("PROTOCOL") ?? "v1"
        }
        switch proto {
        case "v1": return .success("/v1/models/\(model):predict")
        case "v2": return .success("/v2/models/\(model)/infer")
        default: return .success("")
        }
    }

    /// `GetModelName`: `--model_name` of the transformer's first container, else the model's
    /// MLSERVER_MODEL_NAME or `--model_name`, else the predictor's first container's; else the isvc's name.
    static func modelName(_ isvc: InferenceService) -> String {
        if let first = isvc.transformer?.pod.containers.first, let name = modelName(args: first.fields["args"]) { return name }
        if let spec = isvc.predictor.model {
            if let name = spec.container.env("MLSERVER_MODEL_NAME") { return name }
            if let name = modelName(args: spec.container.fields["args"]) { return name }
        } else if let first = isvc.predictor.pod.containers.first, let name = modelName(args: first.fields["args"]) {
            return name
        }
        return isvc.name
    }

    /// `getModelNameFromArgs`: `--model_name=<name>` or `--model_name <name>`, the last one winning.
    static func modelName(args: Value?) -> String? {
        let args = args?.array?.compactMap(\.string) ?? []
        var name = ""
        for (i, arg) in args.enumerated() where arg.hasPrefix("--model_name") {
            let parts = arg.split(separator: "=", omittingEmptySubsequences: false)
            if parts.count == 2 { name = String(parts[1]) }
            if i + 1 < args.count, !args[i + 1].hasPrefix("--") { name = args[i + 1] }
        }
        return name.isEmpty ? nil : name
    }
}
