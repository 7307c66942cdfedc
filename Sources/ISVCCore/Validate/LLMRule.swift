/// Rules of KServe's LLMInferenceService webhook (`llm_inference_service_validation.go`) and
/// controller (`config_merge.go`, its conditions), and what isvc does not compile yet.
public enum LLMRule: String, RuleFamily {
    case configNotFound = "llm.config-not-found"
    case merge = "llm.merge"
    case template = "llm.template"
    case rendered = "llm.rendered"
    case router = "llm.router"
    case parallelism = "llm.parallelism"
    case scheduler = "llm.scheduler"
    case modelURI = "llm.model-uri"
    case lora = "llm.lora"
    case parentRefs = "llm.parent-refs"
    case unsupported = "llm.unsupported"
    case leftOut = "llm.left-out"

    public var definition: RuleDefinition {
        switch self {
        case .configNotFound:
            .error("every LLMInferenceServiceConfig a service needs (a preset or a baseRef) exists in its namespace or in kserve")
        case .merge: .error("the configs and the spec merge (a list merged by key has the key in every element)")
        case .template: .error("the merged config renders as a Go template (the controller renders every string of it)")
        case .rendered:
            .error("the spec after merging its configs passes the LLMInferenceService webhook, as the controller's dry run checks it")
        case .router: .error("router.route, router.gateway and router.ingress are combined as the webhook allows")
        case .parallelism: .error("a worker has data or pipeline parallelism, not both, with data and dataLocal together, all above 0")
        case .scheduler: .error("the scheduler's replicas are above 0 and its config is inline or a ref, not both")
        case .lora: .error("LoRA adapters are named, unique, not the base model's name, on hf, s3 or pvc, with limits of at least 1")
        case .modelURI: .error("model.uri has a scheme the controller downloads or mounts (hf, s3, pvc, oci)")
        case .parentRefs: .warning("a managed route's parentRefs are not repeated when gateway.refs names the same gateways")
        case .unsupported: .error("the LLMInferenceService uses only what isvc compiles so far")
        case .leftOut:
            .warning("--emit envoy and --emit status do not take LLMInferenceServices yet, isvc serve no prefill/decode one, and say so")
        }
    }
}
