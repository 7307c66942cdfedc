/// The fixed key order of every rendered object: `apiVersion`, `kind`, `metadata`, `spec` first at the
/// top level, then the remaining keys; below the top level, keys are sorted as `kubectl get -o yaml`
/// sorts them.
enum KeyOrder {
    static let leading = ["apiVersion", "kind", "metadata", "spec"]

    static func keys(of object: [String: Value], topLevel: Bool) -> [String] {
        let sorted = object.keys.sorted()
        guard topLevel else { return sorted }
        let first = leading.filter { object[$0] != nil }
        return first + sorted.filter { !leading.contains($0) }
    }
}
