/// Rules of YAML itself, as the API server's parser (and kubectl's) applies them.
public enum YAMLRule: String, RuleFamily {
    case syntax = "yaml.syntax"
    case duplicateKey = "yaml.duplicate-key"
    case encoding = "yaml.encoding"
    case empty = "yaml.empty"
    case aliasBomb = "yaml.alias-bomb"
    case tooManyNodes = "yaml.too-many-nodes"

    public var definition: RuleDefinition {
        switch self {
        case .syntax: .error("the text parses as YAML")
        case .duplicateKey: .error("a key appears once in a mapping (the API server rejects duplicates)")
        case .encoding: .error("the text decodes as the encoding it declares")
        case .empty: .error("a file holds at least one YAML document")
        case .aliasBomb: .error("aliases do not expand a document past the node budget (a billion-laughs input)")
        case .tooManyNodes: .error("a document, and a file, stay within the number of nodes isvc reads")
        }
    }
}
