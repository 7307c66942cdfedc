/// Rules on the cluster ConfigMaps given as input (KServe's inferenceservice-config, Knative's
/// config-autoscaler, config-deployment, config-domain, config-features), as their controllers parse them.
public enum ConfigMapRule: String, RuleFamily {
    case valueType = "configmap.type"
    case deploy = "configmap.deploy"
    case unknownKey = "configmap.unknown-key"
    case ingress = "configmap.ingress"
    case json = "configmap.json"
    case domain = "configmap.domain"
    case autoscaler = "configmap.autoscaler"
    case deployment = "configmap.deployment"
    case unknownField = "configmap.unknown-field"
    case agent = "configmap.agent"
    case noEffect = "configmap.no-effect"
    case notRead = "configmap.not-read"
    case network = "configmap.network"
    case missingKey = "configmap.missing-key"

    public var definition: RuleDefinition {
        switch self {
        case .valueType: .error("ConfigMap data values are strings, and the JSON inside them has the types KServe reads")
        case .deploy: .error("inferenceservice-config's deploy.defaultDeploymentMode is a mode KServe knows")
        case .unknownKey: .warning("a data key the ConfigMap's controller does not read")
        case .ingress: .error("inferenceservice-config's ingress has the gateways and domain KServe requires")
        case .json: .error("a data value KServe reads as JSON is a JSON object")
        case .domain: .error("config-domain's values are empty or a label selector")
        case .autoscaler: .error("config-autoscaler's values parse and are in range as Knative's autoscaler reads them")
        case .deployment: .error("config-deployment's progress-deadline is a positive whole-second duration that fits")
        case .unknownField: .warning("a field inside a JSON data value that KServe does not read")
        case .agent:
            .error(
                "the agent, logger, batcher and router keys have four resource quantities that parse, as KServe's pod webhook and InferenceGraph controller require"
            )
        case .notRead: .warning("a ConfigMap key KServe reads that isvc does not model yet, so its effect is not in the output")
        case .missingKey:
            .warning(
                "an inferenceservice-config without a key KServe needs or reads: what KServe would do without it, and the default isvc keeps"
            )
        case .network: .error("config-network's domain-template and tag-template are templates Knative accepts (a host, no path)")
        case .noEffect: .warning("a field KServe reads but does not act on (or isvc does not yet), so setting it changes nothing")
        }
    }
}
