/// KServe's mutating webhook names containers before the API server checks the object against the
/// CRD schema (mutating admission runs first): transformer and explainer `containers[0]` become
/// `kserve-container`, and so does the predictor's when it is alone or unnamed. The schema check
/// sees the object as it would be then, so a missing container name there is not an error.
enum ContainerNaming {
    static func applied(to root: Node) -> Node {
        var root = root
        root = updating(root, ["spec", "transformer"]) { named($0, always: true) }
        root = updating(root, ["spec", "explainer"]) { named($0, always: true) }
        root = updating(root, ["spec", "predictor"]) { named($0, always: false) }
        return root
    }

    static func named(_ component: Node, always: Bool) -> Node {
        updating(component, ["containers"]) { containers in
            guard var items = containers.sequence, let first = items.first, first.mapping != nil, first["name"] == nil,
                always || items.count == 1
            else { return containers }
            var pairs = first.mapping!
            pairs.append(
                Pair(
                    key: Node(.scalar(Scalar(text: "name", tag: .str, plain: true)), at: first.location),
                    value: Node(.scalar(Scalar(text: "kserve-container", tag: .str, plain: true)), at: first.location)))
            items[0] = Node(.mapping(pairs), at: first.location)
            return Node(.sequence(items), at: containers.location)
        }
    }

    /// The node with the value at `path` replaced by `change(value)`, if the path exists.
    static func updating(_ node: Node, _ path: [String], _ change: (Node) -> Node) -> Node {
        guard let key = path.first, var pairs = node.mapping,
            let i = pairs.firstIndex(where: { $0.key.scalar?.text == key })
        else { return node }
        pairs[i].value = path.count == 1 ? change(pairs[i].value) : updating(pairs[i].value, Array(path.dropFirst()), change)
        return Node(.mapping(pairs), at: node.location)
    }
}
