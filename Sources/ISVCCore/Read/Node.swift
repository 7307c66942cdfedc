/// The project's own YAML tree: Sendable, ordered, and every node knows where it came from.
/// Yams is confined to `YAMLReader`; everything after reading works on this tree.
public struct Node: Sendable {
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([Node])
        case mapping([Pair])
    }

    public var content: Content
    public var location: SourceLocation

    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    public var scalar: Scalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    public var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value under `key` in a mapping (the first one; duplicates are rejected while reading).
    public subscript(key: String) -> Node? {
        guard case .mapping(let pairs) = content else { return nil }
        return pairs.first { $0.key.scalar?.text == key }?.value
    }

    /// The text of a string scalar; nil for anything else (numbers, booleans, null, collections).
    public var string: String? {
        guard let s = scalar, s.tag == .str else { return nil }
        return s.text
    }

    /// What kind of value this is, in the words a schema error uses.
    public var kindName: String {
        switch content {
        case .scalar(let s): return s.tag.rawValue
        case .sequence: return "array"
        case .mapping: return "object"
        }
    }
}

public struct Pair: Sendable {
    public var key: Node
    public var value: Node
}

public struct Scalar: Sendable, Hashable {
    /// The resolved type of a scalar, with YAML 1.1 rules as Kubernetes' YAML reader (go-yaml v2) has them.
    public enum Tag: String, Sendable, Hashable {
        case str = "string"
        case int = "integer"
        case float = "number"
        case bool = "boolean"
        case null = "null"
    }

    public var text: String
    public var tag: Tag
    /// True when the source wrote the scalar without quotes or block style.
    public var plain: Bool
}
