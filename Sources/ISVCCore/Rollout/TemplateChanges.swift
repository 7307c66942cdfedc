/// Which fields of a revision template differ: what makes Knative create a new revision, named
/// for a rollout review (`metadata.annotations[key]`, `spec.containers[0].args`).
public enum TemplateChanges {
    public static func paths(from old: Value, to new: Value) -> [String] {
        var out: [String] = []
        collect(Quantities.normalized(old), Quantities.normalized(new), path: "", into: &out)
        return out
    }

    static func collect(_ a: Value, _ b: Value, path: String, into out: inout [String]) {
        if a == b { return }
        switch (a, b) {
        case let (.object(x), .object(y)):
            let keys = Set(x.keys).union(y.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let isMap = path.hasSuffix("labels") || path.hasSuffix("annotations")
            for k in keys {
                let child = isMap ? "\(path)[\(k)]" : (path.isEmpty ? k : "\(path).\(k)")
                collect(x[k] ?? .null, y[k] ?? .null, path: child, into: &out)
            }
        case let (.array(x), .array(y)) where x.count == y.count && x.allSatisfy({ $0.object != nil }):
            for i in x.indices { collect(x[i], y[i], path: "\(path)[\(i)]", into: &out) }
        default:
            out.append(path)
        }
    }
}
