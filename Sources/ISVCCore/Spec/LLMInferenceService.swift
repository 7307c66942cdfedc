/// `serving.kserve.io LLMInferenceService` and `LLMInferenceServiceConfig`
/// (`pkg/apis/serving/v1alpha2/llm_inference_service_types.go`): one spec type, a service or a
/// preset. The spec stays a tree here: the controller merges presets into it as JSON (a strategic
/// merge, then Go-template rendering), and only the merged result is read field by field
/// (`LLMServiceSpec`). The document is kept for the positions of the webhook's findings.
public struct LLMInferenceService: Sendable {
    public enum Kind: String, Sendable {
        case service = "LLMInferenceService"
        case config = "LLMInferenceServiceConfig"
    }

    public var kind: Kind
    public var apiVersion: Located<String>
    public var meta: ObjectMeta
    /// `spec` as written, in the v1alpha2 shape (a v1alpha1 document is converted as KServe's
    /// conversion webhook converts it).
    public var spec: Value
    /// The `spec` node, for positions (nil when the document has no spec).
    public var specNode: Node?
    public var location: SourceLocation

    public var name: String { meta.name?.value ?? "" }
    public var namespace: String { meta.namespace?.value ?? "default" }

    init(document: SourceDocument, kind: Kind, apiVersion: Located<String>) {
        let root = document.root
        self.kind = kind
        self.apiVersion = apiVersion
        meta = ObjectMeta(root)
        specNode = root["spec"]
        spec = specNode.map(Value.init) ?? .object([:])
        if spec == .null { spec = .object([:]) }
        location = root.location
    }

    /// Where a field of the spec was written (the nearest written ancestor), else the document.
    public func location(of path: [String]) -> SourceLocation {
        var node = specNode
        var best = specNode?.location ?? location
        for component in path {
            // `key[i]`: an element of the list under key.
            var key = component
            var index: Int?
            if component.hasSuffix("]"), let open = component.lastIndex(of: "[") {
                key = String(component[..<open])
                index = Int(component[component.index(after: open)..<component.index(before: component.endIndex)])
            }
            guard var next = node?[key] else { break }
            if let index {
                guard let items = next.sequence, items.indices.contains(index) else { break }
                next = items[index]
            }
            best = next.location
            node = next
        }
        return best
    }
}

extension LLMInferenceService {
    /// The API versions KServe serves for both kinds; v1alpha2 is the storage version.
    public static let versions = ["serving.kserve.io/v1alpha2", "serving.kserve.io/v1alpha1"]
}
