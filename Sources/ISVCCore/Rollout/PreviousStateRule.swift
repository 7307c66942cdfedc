/// Rules on the previous state `--previous` reads.
public enum PreviousStateRule: String, RuleFamily {
    case notCompiled = "previous.not-compiled"

    public var definition: RuleDefinition {
        switch self {
        case .notCompiled: .error("--previous is isvc compile's output, not an InferenceService")
        }
    }
}
