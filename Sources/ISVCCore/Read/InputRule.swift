/// Rules on the inputs as files and documents, before any field is read.
public enum InputRule: String, RuleFamily {
    case unreadable = "input.unreadable"
    case notText = "input.not-text"
    case notAMapping = "input.not-a-mapping"
    case noKind = "input.no-kind"
    case unknownKind = "input.unknown-kind"
    case apiVersion = "input.api-version"
    case duplicate = "input.duplicate"

    public var definition: RuleDefinition {
        switch self {
        case .unreadable: .error("the file cannot be read: it is missing, a directory, or not readable")
        case .notText: .error("the file is not UTF-8 text (it holds NUL bytes or invalid UTF-8), so it is not YAML")
        case .notAMapping: .error("a document is a mapping with apiVersion and kind, not a list or a scalar")
        case .noKind: .error("a document names its apiVersion and kind")
        case .unknownKind: .warning("a document of a kind isvc does not read is ignored, and said so")
        case .apiVersion: .error("a known kind comes with an apiVersion the API server serves for it")
        case .duplicate: .error("two InferenceServices with one namespace and name: the API server keeps only one")
        }
    }
}
