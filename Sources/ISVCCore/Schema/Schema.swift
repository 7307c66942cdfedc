import Foundation

/// A JSON Schema node, as far as the upstream CRD schemas use the language: `type`, `properties`,
/// `additionalProperties`, `required`, `items`, `enum`, `pattern`, `minimum`/`maximum`,
/// `minLength`/`maxLength`, `minItems`.
public final class Schema: Sendable {
    public let types: Set<String>?
    public let properties: [String: Schema]
    /// nil: any extra key is allowed (no `properties`, or `x-kubernetes-preserve-unknown-fields`).
    public let additionalProperties: Additional
    public let required: [String]
    public let items: Schema?
    public let enumValues: [String]?
    public let pattern: String?
    public let minimum: Double?
    public let maximum: Double?
    public let minLength: Int?
    public let maxLength: Int?
    /// `default` (kept only where isvc applies defaults as the API server does, see scripts/embed-data.py).
    public let defaultValue: Value?

    public enum Additional: Sendable {
        case allowed
        case forbidden
        case schema(Schema)
    }

    init(json: [String: Any]) {
        if let t = json["type"] as? String {
            types = [t]
        } else if let ts = json["type"] as? [String] {
            types = Set(ts)
        } else {
            types = nil
        }
        var props: [String: Schema] = [:]
        for (k, v) in (json["properties"] as? [String: Any]) ?? [:] {
            if let d = v as? [String: Any] { props[k] = Schema(json: d) }
        }
        properties = props
        switch json["additionalProperties"] {
        case let b as Bool: additionalProperties = b ? .allowed : .forbidden
        case let d as [String: Any]: additionalProperties = .schema(Schema(json: d))
        default: additionalProperties = .allowed
        }
        required = (json["required"] as? [String]) ?? []
        items = (json["items"] as? [String: Any]).map(Schema.init(json:))
        enumValues = (json["enum"] as? [Any])?.map { "\($0)" }
        pattern = json["pattern"] as? String
        minimum = (json["minimum"] as? NSNumber)?.doubleValue
        maximum = (json["maximum"] as? NSNumber)?.doubleValue
        minLength = (json["minLength"] as? NSNumber)?.intValue
        maxLength = (json["maxLength"] as? NSNumber)?.intValue
        defaultValue = json["default"].map(Schema.value)
    }

    /// A JSON value from Foundation's parser.
    static func value(_ any: Any) -> Value {
        switch any {
        case let s as String: return .string(s)
        case let n as NSNumber:
            // JSONSerialization gives true/false as NSNumbers of type char.
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            if n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 9e15 { return .int(n.intValue) }
            return .double(n.doubleValue)
        case let a as [Any]: return .array(a.map(value))
        case let o as [String: Any]: return .object(o.mapValues(value))
        default: return .null
        }
    }

    /// The API server's structural defaulting: an absent field with a default gets it, then every
    /// present field (defaulted ones too) is defaulted by its own schema.
    public func defaulting(_ v: Value) -> Value {
        switch v {
        case .object(var o):
            for (key, schema) in properties where o[key] == nil {
                if let d = schema.defaultValue { o[key] = d }
            }
            for (key, child) in o {
                if let schema = properties[key] {
                    o[key] = schema.defaulting(child)
                } else if case .schema(let schema) = additionalProperties {
                    o[key] = schema.defaulting(child)
                }
            }
            return .object(o)
        case .array(let items):
            guard let items_ = self.items else { return v }
            return .array(items.map(items_.defaulting))
        default:
            return v
        }
    }

    public static func parse(_ text: String) -> Schema {
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        return Schema(json: (object as? [String: Any]) ?? [:])
    }
}

/// The schemas of the kinds `isvc` reads, parsed once on first use.
public enum EmbeddedSchemas {
    public static let inferenceServiceSchema = Schema.parse(inferenceService)
    public static let servingRuntimeSchema = Schema.parse(servingRuntime)
    public static let clusterServingRuntimeSchema = Schema.parse(clusterServingRuntime)
    public static let trainedModelSchema = Schema.parse(trainedModel)
    public static let inferenceGraphSchema = Schema.parse(inferenceGraph)
    public static let virtualServiceSchema = Schema.parse(virtualService)
    public static let destinationRuleSchema = Schema.parse(destinationRule)
    public static let gatewaySchema = Schema.parse(gateway)
    public static let requestAuthenticationSchema = Schema.parse(requestAuthentication)
    public static let authorizationPolicySchema = Schema.parse(authorizationPolicy)
    /// The LLM kinds' schemas by `Kind/version`, as the input loader names them.
    static func llm(_ kindAndVersion: String) -> Schema? {
        switch kindAndVersion {
        case "LLMInferenceService/v1alpha2": llmInferenceServiceV1alpha2Schema
        case "LLMInferenceService/v1alpha1": llmInferenceServiceV1alpha1Schema
        case "LLMInferenceServiceConfig/v1alpha2": llmInferenceServiceConfigV1alpha2Schema
        case "LLMInferenceServiceConfig/v1alpha1": llmInferenceServiceConfigV1alpha1Schema
        default: nil
        }
    }

    public static let llmInferenceServiceV1alpha2Schema = Schema.parse(llmInferenceServiceV1alpha2)
    public static let llmInferenceServiceV1alpha1Schema = Schema.parse(llmInferenceServiceV1alpha1)
    public static let llmInferenceServiceConfigV1alpha2Schema = Schema.parse(llmInferenceServiceConfigV1alpha2)
    public static let llmInferenceServiceConfigV1alpha1Schema = Schema.parse(llmInferenceServiceConfigV1alpha1)

    /// The schema of an Istio kind `isvc` reads.
    static func istio(_ kind: String) -> Schema? {
        switch kind {
        case "VirtualService": return virtualServiceSchema
        case "DestinationRule": return destinationRuleSchema
        case "Gateway": return gatewaySchema
        case "RequestAuthentication": return requestAuthenticationSchema
        case "AuthorizationPolicy": return authorizationPolicySchema
        default: return nil
        }
    }
}
