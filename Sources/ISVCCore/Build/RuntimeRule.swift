/// Rules on choosing a ServingRuntime for a predictor's model, as KServe's controller chooses one.
public enum RuntimeRule: String, RuleFamily {
    case container = "kserve.runtime-container"
    case notFound = "kserve.runtime-not-found"
    case disabled = "kserve.runtime-disabled"
    case protocolVersion = "kserve.runtime-protocol"
    case format = "kserve.runtime-format"
    case noRuntime = "kserve.no-runtime"
    case choice = "kserve.runtime-choice"
    case priority = "kserve.runtime-priority"

    public var definition: RuleDefinition {
        switch self {
        case .container: .error("the chosen runtime has a container named kserve-container")
        case .notFound: .error("the runtime a predictor names exists in its namespace or the cluster")
        case .disabled: .error("the runtime a predictor names is not disabled")
        case .protocolVersion: .error("the runtime a predictor names supports its protocol version")
        case .format: .error("the runtime a predictor names supports its model format and version")
        case .noRuntime: .error("some runtime supports the model's format, protocol and worker layout (with why each was rejected)")
        case .choice: .warning("more than one runtime matched and KServe's ranking chose (the others are listed as notes)")
        case .priority: .error("a runtime gives one priority per model format, and only to formats it auto-selects")
        }
    }
}
