/// The router's `--graph-json` argument: `json.Marshal` of the InferenceGraph's spec after the
/// controller filled in each `serviceName` step's URL. Fields in the Go structs' order, `omitempty`
/// zero values left out, maps (nodes, resource lists, node selectors) sorted by key.
enum GraphJSON {
    static func spec(_ validated: ValidatedGraph) -> String {
        let g = validated.graph
        var parts: [String] = []
        let nodes = g.nodes.sorted { $0.name.value.utf8.lexicographicallyPrecedes($1.name.value.utf8) }
        parts.append(
            "\"nodes\":{"
                + nodes.map { node in
                    var fields = ["\"routerType\":" + GoJSON.quote(node.routerType?.value ?? "")]
                    let steps = node.steps.enumerated().map { i, step in
                        self.step(step, resolvedURL: validated.resolvedURLs[node.name.value]?[i])
                    }
                    if !steps.isEmpty { fields.append("\"steps\":[" + steps.joined(separator: ",") + "]") }
                    return GoJSON.quote(node.name.value) + ":{" + fields.joined(separator: ",") + "}"
                }.joined(separator: ",") + "}")
        parts.append("\"resources\":" + resources(g.resources))
        if let a = g.affinity, let text = GoStruct.affinity.encode(a) { parts.append("\"affinity\":" + text) }
        if let t = g.timeout { parts.append("\"timeout\":\(t.value)") }
        if let r = g.routerTimeouts {
            let fields = [
                ("serverRead", r.serverRead), ("serverWrite", r.serverWrite), ("serverIdle", r.serverIdle),
                ("serviceClient", r.serviceClient),
            ]
            .compactMap { name, v in v.map { "\"\(name)\":\($0)" } }
            parts.append("\"routerTimeouts\":{" + fields.joined(separator: ",") + "}")
        }
        if let v = g.minReplicas { parts.append("\"minReplicas\":\(v.value)") }
        if let v = g.maxReplicas, v.value != 0 { parts.append("\"maxReplicas\":\(v.value)") }
        if let v = g.scaleTarget { parts.append("\"scaleTarget\":\(v.value)") }
        if let v = g.scaleMetric { parts.append("\"scaleMetric\":" + GoJSON.quote(v.value)) }
        if let list = g.tolerations?.array, !list.isEmpty {
            parts.append("\"tolerations\":[" + list.compactMap { GoStruct.toleration.encode($0) }.joined(separator: ",") + "]")
        }
        if !g.nodeSelector.isEmpty { parts.append("\"nodeSelector\":" + stringMap(g.nodeSelector)) }
        if let v = g.nodeName, !v.isEmpty { parts.append("\"nodeName\":" + GoJSON.quote(v)) }
        if let v = g.serviceAccountName, !v.isEmpty { parts.append("\"serviceAccountName\":" + GoJSON.quote(v)) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func step(_ s: InferenceGraph.Step, resolvedURL: String?) -> String {
        var f: [String] = []
        func text(_ key: String, _ v: String?) {
            if let v, !v.isEmpty { f.append("\"\(key)\":" + GoJSON.quote(v)) }
        }
        text("name", s.name?.value)
        text("nodeName", s.nodeName?.value)
        text("serviceName", s.serviceName?.value)
        text("serviceUrl", resolvedURL ?? s.serviceURL?.value)
        text("data", s.data?.value)
        if s.mapPredictionsToInstances { f.append("\"mapPredictionsToInstances\":true") }
        if let w = s.weight { f.append("\"weight\":\(w.value)") }
        text("condition", s.condition?.value)
        text("dependency", s.dependency?.value)
        return "{" + f.joined(separator: ",") + "}"
    }

    /// `corev1.ResourceRequirements`: limits, requests (quantities canonical), claims; `{}` when empty.
    static func resources(_ v: Value?) -> String {
        var f: [String] = []
        for key in ["limits", "requests"] {
            guard let list = v?[key]?.object, !list.isEmpty else { continue }
            let items = list.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { name -> String in
                let raw = GoStruct.text(list[name]) ?? ""
                return GoJSON.quote(name) + ":" + GoJSON.quote(Quantities.canonical(raw) ?? raw)
            }
            f.append("\"\(key)\":{" + items.joined(separator: ",") + "}")
        }
        if let claims = v?["claims"]?.array, !claims.isEmpty {
            f.append("\"claims\":[" + claims.compactMap { GoStruct.resourceClaim.encode($0) }.joined(separator: ",") + "]")
        }
        return "{" + f.joined(separator: ",") + "}"
    }

    static func stringMap(_ map: [String: String]) -> String {
        "{"
            + map.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { GoJSON.quote($0) + ":" + GoJSON.quote(map[$0]!) }
            .joined(separator: ",") + "}"
    }
}

/// A Kubernetes API struct as `encoding/json` writes it: its fields in declaration order, those
/// tagged `omitempty` left out when zero. Covers the types an InferenceGraph passes to its router.
indirect enum GoStruct: Sendable {
    /// Fields in order: name, type, and whether the tag has no `omitempty`.
    case fields([(String, GoStruct, Bool)])
    case list(GoStruct)
    /// A map: keys sorted, values as scalars.
    case map
    case scalar

    static let nodeSelectorRequirement = GoStruct.fields([
        ("key", .scalar, true), ("operator", .scalar, true), ("values", .list(.scalar), false),
    ])
    static let nodeSelectorTerm = GoStruct.fields([
        ("matchExpressions", .list(nodeSelectorRequirement), false), ("matchFields", .list(nodeSelectorRequirement), false),
    ])
    static let labelSelector = GoStruct.fields([("matchLabels", .map, false), ("matchExpressions", .list(nodeSelectorRequirement), false)])
    static let podAffinityTerm = GoStruct.fields([
        ("labelSelector", labelSelector, false), ("namespaces", .list(.scalar), false), ("topologyKey", .scalar, true),
        ("namespaceSelector", labelSelector, false), ("matchLabelKeys", .list(.scalar), false),
        ("mismatchLabelKeys", .list(.scalar), false),
    ])
    static let podAffinity = GoStruct.fields([
        ("requiredDuringSchedulingIgnoredDuringExecution", .list(podAffinityTerm), false),
        (
            "preferredDuringSchedulingIgnoredDuringExecution",
            .list(.fields([("weight", .scalar, true), ("podAffinityTerm", podAffinityTerm, true)])), false
        ),
    ])
    static let affinity = GoStruct.fields([
        (
            "nodeAffinity",
            .fields([
                ("requiredDuringSchedulingIgnoredDuringExecution", .fields([("nodeSelectorTerms", .list(nodeSelectorTerm), true)]), false),
                (
                    "preferredDuringSchedulingIgnoredDuringExecution",
                    .list(.fields([("weight", .scalar, true), ("preference", nodeSelectorTerm, true)])), false
                ),
            ]), false
        ),
        ("podAffinity", podAffinity, false), ("podAntiAffinity", podAffinity, false),
    ])
    static let toleration = GoStruct.fields([
        ("key", .scalar, false), ("operator", .scalar, false), ("value", .scalar, false), ("effect", .scalar, false),
        ("tolerationSeconds", .scalar, false),
    ])
    static let resourceClaim = GoStruct.fields([("name", .scalar, true), ("request", .scalar, false)])

    /// The JSON text, or nil for a zero value (which `omitempty` leaves out).
    func encode(_ v: Value) -> String? {
        switch self {
        case .scalar:
            switch v {
            case .string(let s): return s.isEmpty ? nil : GoJSON.quote(s)
            case .bool(let b): return b ? "true" : nil
            case .int(let i): return i == 0 ? nil : String(i)
            case .null: return nil
            default: return JSONWriter.compact(v)
            }
        case .map:
            guard let o = v.object, !o.isEmpty else { return nil }
            return GraphJSON.stringMap(o.compactMapValues { Self.text($0) })
        case .list(let item):
            guard let a = v.array, !a.isEmpty else { return nil }
            return "[" + a.map { item.encode($0) ?? item.zero }.joined(separator: ",") + "]"
        case .fields(let fields):
            var parts: [String] = []
            for (name, type, always) in fields {
                if let text = v[name].flatMap({ type.encode($0) }) {
                    parts.append("\"\(name)\":" + text)
                } else if always {
                    parts.append("\"\(name)\":" + type.zero)
                }
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
    }

    /// What Go writes for a zero value it does not omit.
    var zero: String {
        switch self {
        case .scalar: return "\"\""
        case .fields: return encode([:]) ?? "{}"
        case .list, .map: return "null"
        }
    }

    static func text(_ v: Value?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return String(d)
        case .bool(let b)?: return String(b)
        default: return nil
        }
    }
}
