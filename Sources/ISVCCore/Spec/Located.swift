/// A decoded value together with where it was written, so later stages can point at it.
public struct Located<T: Sendable>: Sendable {
    public var value: T
    public var location: SourceLocation

    public init(_ value: T, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where T: Equatable {}

/// Typed reads from a node that the schema checker has already seen. A value of the wrong type was
/// reported there, so these readers return nil for it instead of reporting it twice.
extension Node {
    func located(_ key: String) -> Located<String>? {
        guard let n = self[key], let s = n.scalar, s.tag != .null else { return nil }
        return Located(s.text, at: n.location)
    }

    func locatedInt(_ key: String) -> Located<Int>? {
        guard let n = self[key], let s = n.scalar, s.tag == .int, let v = Value.integer(s.text) else { return nil }
        return Located(v, at: n.location)
    }

    func bool(_ key: String) -> Bool? {
        guard let n = self[key], let s = n.scalar, s.tag == .bool else { return nil }
        return ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].contains(s.text)
    }

    /// A map of strings (labels, annotations, ConfigMap data); non-string values keep their text.
    func stringMap(_ key: String) -> [String: String] {
        guard let pairs = self[key]?.mapping else { return [:] }
        var out: [String: String] = [:]
        for p in pairs {
            guard let k = p.key.scalar?.text, let v = p.value.scalar, v.tag != .null else { continue }
            out[k] = v.text
        }
        return out
    }

    /// Where each key of a string map was written.
    func keyLocations(_ key: String) -> [String: SourceLocation] {
        guard let pairs = self[key]?.mapping else { return [:] }
        var out: [String: SourceLocation] = [:]
        for p in pairs { if let k = p.key.scalar?.text { out[k] = p.value.location } }
        return out
    }

    /// The keys of a mapping, in source order.
    var keys: [String] {
        mapping?.compactMap { $0.key.scalar?.text } ?? []
    }

    func keyLocation(_ key: String) -> SourceLocation? {
        mapping?.first { $0.key.scalar?.text == key }?.key.location
    }
}
