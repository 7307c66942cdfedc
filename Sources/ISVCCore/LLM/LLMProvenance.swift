/// Which config set each field of an LLMInferenceService's merged spec (`isvc check --explain`):
/// the configs in merge order, and per leaf of the merged spec the last one that wrote it (the merge
/// lets a later config win). Elements of lists merged by key are named by their key
/// (`containers[main]`); other lists are set whole. Fields none of them wrote come from the
/// controller's own fix-ups (the pool selector, the EPP's service account).
enum LLMProvenance {
    struct Layer: Sendable {
        var label: String
        var spec: Value
    }

    /// The leaves of a spec, by path, with the merge's idea of list identity.
    static func leaves(_ v: Value, kind: StrategicMerge.Kind = .spec, path: String = "spec", into out: inout [(String, Value)]) {
        guard case .object(let o) = v else {
            out.append((path, v))
            return
        }
        for key in o.keys.sorted() {
            guard let value = o[key], value != .null else { continue }
            let here = "\(path).\(key)"
            if let list = StrategicMerge.mergeList(key, in: kind), case .array(let items) = value {
                for item in items {
                    let id = item[list.key].map { $0.string ?? JSONWriter.compact($0) } ?? "?"
                    leaves(item, kind: list.element, path: "\(here)[\(id)]", into: &out)
                }
            } else if case .object(let child) = value, !child.isEmpty {
                leaves(value, kind: StrategicMerge.child(key, of: kind), path: here, into: &out)
            } else {
                out.append((here, value))
            }
        }
    }

    static func explain(_ service: ValidatedLLMService, layers: [Layer]) -> String {
        var owner: [String: Int] = [:]
        for (i, layer) in layers.enumerated() {
            var found: [(String, Value)] = []
            leaves(layer.spec, into: &found)
            for (path, _) in found { owner[path] = i + 1 }
        }
        var lines = [
            "# LLMInferenceService \(service.namespace)/\(service.name): configs merged in this order; the last to set a field wins"
        ]
        for (i, layer) in layers.enumerated() { lines.append("#   [\(i + 1)] \(layer.label)") }
        var merged: [(String, Value)] = []
        leaves(service.spec.tree, into: &merged)
        for (path, value) in merged {
            let from = owner[path].map { "[\($0)]" } ?? "[controller]"
            lines.append("\(path) = \(shown(value))  \(from)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A value on one line, long ones cut with their length said.
    static func shown(_ v: Value) -> String {
        let text: String
        if case .string(let s) = v { text = s } else { text = JSONWriter.compact(v) }
        let flat = text.replacingOccurrences(of: "\n", with: "\\n")
        guard flat.count > 100 else { return flat }
        return String(flat.prefix(97)) + "... (\(text.count) characters)"
    }
}

extension Compiler {
    /// `isvc check --explain`: for each LLMInferenceService, which config set each field.
    public static func explainLLMServices(_ result: Result) -> String {
        result.validated.llmServices.map { LLMProvenance.explain($0, layers: $0.layers) }.joined(separator: "\n")
    }
}
