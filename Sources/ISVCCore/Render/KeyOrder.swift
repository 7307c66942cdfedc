/// The fixed key order of every rendered object: `apiVersion`, `kind`, `metadata`, `spec` first at the
/// top level, then the remaining keys; below the top level, keys are sorted as `kubectl get -o yaml`
/// sorts them.
enum KeyOrder {
    static let leading = ["apiVersion", "kind", "metadata", "spec"]

    static func keys(of object: [String: Value], topLevel: Bool) -> [String] {
        // Byte order, as Go sorts map keys (and faster than Unicode-aware comparison).
        let sorted = object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard topLevel else { return sorted }
        let first = leading.filter { object[$0] != nil }
        return first + sorted.filter { !leading.contains($0) }
    }
}

extension KeyOrder {
    /// The object's entries in output order, without a second lookup per key.
    static func entries(of object: [String: Value], topLevel: Bool) -> [(key: String, value: Value)] {
        let sorted = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        guard topLevel else { return sorted }
        let first = leading.compactMap { key in sorted.first { $0.key == key } }
        return first + sorted.filter { !leading.contains($0.key) }
    }
}
