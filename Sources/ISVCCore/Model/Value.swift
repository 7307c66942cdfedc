/// A JSON-like value: the body of every generated object. Object keys have no order here;
/// the writers put them in a fixed order (see `KeyOrder`), so output never depends on
/// how an object was built.
public enum Value: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object([String: Value])

    public subscript(key: String) -> Value? {
        get {
            if case .object(let o) = self { return o[key] }
            return nil
        }
        set {
            guard case .object(var o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }

    /// Reads or writes a nested value; writing creates the intermediate objects.
    public subscript(path path: [String]) -> Value? {
        get {
            var v: Value? = self
            for key in path { v = v?[key] }
            return v
        }
        set {
            guard let first = path.first else {
                if let newValue { self = newValue }
                return
            }
            guard case .object(var o) = self else { return }
            if path.count == 1 {
                o[first] = newValue
            } else {
                var child = o[first] ?? .object([:])
                child[path: Array(path.dropFirst())] = newValue
                o[first] = child
            }
            self = .object(o)
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var int: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var array: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var object: [String: Value]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Empty objects and arrays count as empty; used to drop fields Kubernetes would omit.
    public var isEmptyCollection: Bool {
        switch self {
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        default: return false
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var o: [String: Value] = [:]
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension Value {
    /// A string map as an object (labels, annotations).
    public init(_ map: [String: String]) {
        self = .object(map.mapValues { .string($0) })
    }

    /// A source node as a value, with YAML scalars typed as the resolver typed them.
    public init(_ node: Node) {
        switch node.content {
        case .scalar(let s):
            switch s.tag {
            case .str: self = .string(s.text)
            case .null: self = .null
            case .bool: self = .bool(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].contains(s.text))
            case .int: self = Value.integer(s.text).map { .int($0) } ?? .string(s.text)
            case .float: self = .double(Value.float(s.text) ?? 0)
            }
        case .sequence(let items):
            self = .array(items.map(Value.init))
        case .mapping(let pairs):
            var o: [String: Value] = [:]
            for p in pairs { o[p.key.scalar?.text ?? ""] = Value(p.value) }
            self = .object(o)
        }
    }

    static func integer(_ text: String) -> Int? {
        var t = text.replacingOccurrences(of: "_", with: "")
        var sign = 1
        if t.hasPrefix("-") { sign = -1; t.removeFirst() } else if t.hasPrefix("+") { t.removeFirst() }
        // The sign goes with the digits, so the most negative Int64 (whose magnitude is no Int) parses.
        let s = sign < 0 ? "-" : ""
        if t.hasPrefix("0x") { return Int(s + t.dropFirst(2), radix: 16) }
        if t.hasPrefix("0b") { return Int(s + t.dropFirst(2), radix: 2) }
        if t.hasPrefix("0") && t.count > 1 { return Int(s + t.dropFirst(), radix: 8) }
        return Int(s + t)
    }

    static func float(_ text: String) -> Double? {
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: return Double(text.replacingOccurrences(of: "_", with: ""))
        }
    }
}
