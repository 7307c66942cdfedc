/// Typed access to decoded pickles for the estimator decoders. Every accessor throws
/// `ModelError.unsupported` naming the field when the value is not what a fitted estimator holds.
extension PickleValue {
    /// The object when this is one.
    public var object: PickleObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .float(let d): d
        case .int(let i): Double(i)
        case .bool(let b): b ? 1 : 0
        case .array(let a) where a.count == 1 && a.shape.isEmpty: (try? a.doubles())?.first
        default: nil
        }
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): Int(i)
        case .bool(let b): b ? 1 : 0
        case .array(let a) where a.count == 1 && a.shape.isEmpty: (try? a.ints())?.first.map(Int.init)
        default: nil
        }
    }

    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    public var isNone: Bool { if case .none = self { return true } else { return false } }

    /// Elements of a list or tuple.
    public var items: [PickleValue]? {
        switch self {
        case .list(let v), .tuple(let v), .set(let v): v
        case .array(let a): if case .object(let o) = a.elements { o } else { nil }
        default: nil
        }
    }

    /// A value of a dict with a string key.
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let entries) = self else { return nil }
        for entry in entries {
            if case .string(let k) = entry.key, k == key { return entry.value }
        }
        return nil
    }
}

extension PickleObject {
    /// A field of the BUILD state dict (`self.__dict__` of a fitted estimator).
    public subscript(field: String) -> PickleValue? {
        state?[field]
    }

    public func require(_ field: String) throws(ModelError) -> PickleValue {
        guard let value = self[field] else {
            throw ModelError.unsupported("\(shortName): the pickle has no '\(field)' (not a fitted \(shortName)?)")
        }
        return value
    }

    public func double(_ field: String) throws(ModelError) -> Double {
        try require(field, as: "a number", \.doubleValue)
    }

    public func int(_ field: String) throws(ModelError) -> Int {
        try require(field, as: "an integer", \.intValue)
    }

    public func string(_ field: String) throws(ModelError) -> String {
        try require(field, as: "a string", \.stringValue)
    }

    public func array(_ field: String) throws(ModelError) -> NDArray {
        try require(field, as: "a numpy array") { if case .array(let a) = $0 { a } else { nil } }
    }

    /// The field, converted by `value`; unsupported, saying what was `expected`, when it is nil.
    private func require<T>(_ field: String, as expected: String, _ value: (PickleValue) -> T?) throws(ModelError) -> T {
        guard let v = value(try require(field)) else {
            throw ModelError.unsupported("\(shortName).\(field): expected \(expected)")
        }
        return v
    }
}

extension NDArray {
    /// Numeric elements as Float64.
    public func doubles() throws(ModelError) -> [Double] {
        switch elements {
        case .float(let v): return v
        case .int(let v): return v.map(Double.init)
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        default: throw ModelError.unsupported("expected a numeric array, got dtype \(dtype)")
        }
    }

    /// Integer elements (floats only when integral).
    public func ints() throws(ModelError) -> [Int64] {
        switch elements {
        case .int(let v): return v
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .float(let v):
            var out: [Int64] = []
            out.reserveCapacity(v.count)
            for d in v {
                guard d.rounded() == d, let i = Int64(exactly: d) else {
                    throw ModelError.unsupported("expected an integer array, got dtype \(dtype) with \(d)")
                }
                out.append(i)
            }
            return out
        default: throw ModelError.unsupported("expected an integer array, got dtype \(dtype)")
        }
    }

    /// A field of a structured array (scikit-learn's tree `nodes`: "left_child", "threshold", ...).
    public func field(_ name: String) throws(ModelError) -> NDArray {
        guard case .structured(let fields) = elements else {
            throw ModelError.unsupported("expected a structured array with field '\(name)', got dtype \(dtype)")
        }
        guard let f = fields.first(where: { $0.name == name }) else {
            throw ModelError.unsupported("structured array has no field '\(name)' (fields: \(fields.map(\.name).joined(separator: ", ")))")
        }
        return f.values
    }
}
