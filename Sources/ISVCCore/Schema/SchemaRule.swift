/// Rules of the OpenAPI schemas the CRDs publish, as the API server validates a document against them.
public enum SchemaRule: String, RuleFamily {
    case valueType = "schema.type"
    case unknownField = "schema.unknown-field"
    case required = "schema.required"
    case enumValue = "schema.enum"
    case pattern = "schema.pattern"
    case range = "schema.range"

    public var definition: RuleDefinition {
        switch self {
        case .valueType: .error("a field holds a value of its schema's type")
        case .unknownField: .warning("a field the schema does not declare, which the API server prunes (kubectl warns)")
        case .required: .error("a field the schema requires is present")
        case .enumValue: .error("a field with a closed set of values holds one of them")
        case .pattern: .error("a string matches the pattern its schema gives (quantities, for example)")
        case .range: .error("a number is within its schema's minimum and maximum")
        }
    }
}
