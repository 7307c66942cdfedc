/// isvc's own rules: what it does not compile yet, and how its options meet the input.
public enum ISVCRule: String, RuleFamily {
    case mode = "isvc.mode"
    case unsupported = "isvc.unsupported"
    case unsupportedMode = "isvc.unsupported-mode"
    case graphNode = "isvc.graph-node"
    case graphField = "isvc.graph-field"
    case annotationNotRead = "isvc.annotation-not-read"

    public var definition: RuleDefinition {
        switch self {
        case .mode: .warning("--mode is overridden by the InferenceService's deployment-mode annotation")
        case .unsupported: .error("a feature isvc does not compile yet (multi-node workerSpec)")
        case .unsupportedMode: .error("a deployment mode isvc does not compile (ModelMesh)")
        case .graphNode:
            .warning(
                "an InferenceGraph step names a node the graph does not have, or nodes call each other in a cycle (KServe accepts both; its router fails)"
            )
        case .graphField: .warning("an InferenceGraph step sets a field its node's router type does not read, so it has no effect")
        case .annotationNotRead:
            .warning(
                "an annotation or label KServe, Knative or Istio reads on an InferenceService that isvc does not model yet, so its effect is not in the output"
            )
        }
    }
}
