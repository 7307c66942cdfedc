/// Rules Knative Serving's webhook applies to the Knative Services KServe would create.
public enum KnativeRule: String, RuleFamily {
    case annotation = "knative.annotation"
    case containerConcurrency = "knative.container-concurrency"
    case feature = "knative.feature"
    case nameLength = "knative.name-length"
    case ports = "knative.ports"
    case timeout = "knative.timeout"
    case trafficPercent = "knative.traffic-percent"

    public var definition: RuleDefinition {
        switch self {
        case .annotation:
            .error(
                "the annotations on the revision template (autoscaling, progress-deadline, queue-proxy resources, networking keys) are ones Knative accepts, with valid values"
            )
        case .containerConcurrency: .error("containerConcurrency is within Knative's limit")
        case .feature: .error("the pod spec uses only what Knative's config-features enables")
        case .nameLength: .error("the Knative Service name KServe derives fits in 63 characters")
        case .ports:
            .error(
                "a Knative Service has one container port, named \"\", http1 or h2c, TCP and not reserved (REST and gRPC on two ports need Standard mode)"
            )
        case .timeout: .error("timeoutSeconds is within Knative's max-revision-timeout-seconds")
        case .trafficPercent: .error("a traffic percent is between 0 and 100")
        }
    }
}
