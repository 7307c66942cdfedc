/// Kubernetes' strategic merge patch, as KServe's LLMInferenceService controller merges its presets
/// (`config_merge.go` `mergeSpecs`: a two-way patch from the zero spec to the override, applied to
/// the base with `strategicpatch.StrategicMergePatch` over the `LLMInferenceServiceSpec` struct tags).
///
/// What that does, and what this implements:
/// - objects merge key by key, recursively; a scalar in the override replaces the base's;
/// - lists whose Go field carries `patchStrategy:"merge"` (the corev1 PodSpec and Container lists
///   below) merge element by element on their merge key, in the order the patch's
///   `$setElementOrder` directive gives (`mergeSortedSlice`): the override's elements in the
///   override's order, the base's other elements kept in place relative to them;
/// - every other list (command, args, tolerations, baseRefs, Gateway API rules, ...) is replaced;
/// - null in the override is absent (Go's JSON of the typed override never carries one).
enum StrategicMerge {
    /// A list merged element by element, and the key that identifies an element.
    struct MergeList: Sendable {
        var key: String
        /// What the elements are, for the lists inside them.
        var element: Kind
    }

    /// The typed places where merge lists occur.
    enum Kind: Sendable {
        case spec, workload, podSpec, container, scheduler, router, other
    }

    struct Failure: Error, Sendable, Equatable {
        /// The path of the list whose element lacks its merge key, e.g. `template.containers[1]`.
        var path: String
        var key: String
    }

    /// The merge lists of a PodSpec and of a Container (corev1 `patchStrategy:"merge"` tags).
    static func mergeList(_ field: String, in kind: Kind) -> MergeList? {
        switch kind {
        case .podSpec:
            switch field {
            case "containers", "initContainers", "ephemeralContainers": MergeList(key: "name", element: .container)
            case "volumes", "imagePullSecrets", "schedulingGates", "resourceClaims": MergeList(key: "name", element: .other)
            case "hostAliases": MergeList(key: "ip", element: .other)
            case "topologySpreadConstraints": MergeList(key: "topologyKey", element: .other)
            default: MergeList?.none
            }
        case .container:
            switch field {
            case "ports": MergeList(key: "containerPort", element: .other)
            case "env": MergeList(key: "name", element: .other)
            case "volumeMounts": MergeList(key: "mountPath", element: .other)
            case "volumeDevices": MergeList(key: "devicePath", element: .other)
            default: MergeList?.none
            }
        default: nil
        }
    }

    /// The kind of the value under `field` of a value of `kind` (where PodSpecs sit in the spec).
    static func child(_ field: String, of kind: Kind) -> Kind {
        switch (kind, field) {
        case (.spec, "template"), (.spec, "worker"), (.workload, "template"), (.workload, "worker"),
            (.scheduler, "template"):
            .podSpec
        case (.spec, "prefill"): .workload
        case (.spec, "router"): .router
        case (.router, "scheduler"): .scheduler
        default: .other
        }
    }

    /// `override` applied over `base` at the spec level.
    static func merge(_ base: Value, _ override: Value) throws(Failure) -> Value {
        try merge(base, override, kind: .spec, path: "")
    }

    static func merge(_ base: Value, _ override: Value, kind: Kind, path: String) throws(Failure) -> Value {
        guard case .object(let patch) = override else { return override }
        guard case .object(var out) = base else { return cleaned(override) }
        for (key, value) in patch {
            if value == .null { continue }
            let here = path.isEmpty ? key : "\(path).\(key)"
            if let list = mergeList(key, in: kind), case .array(let items) = value {
                out[key] = .array(try mergeItems(out[key]?.array ?? [], items, list: list, path: here))
            } else if case .object = value, let existing = out[key], case .object = existing {
                out[key] = try merge(existing, value, kind: child(key, of: kind), path: here)
            } else {
                out[key] = cleaned(value)
            }
        }
        return .object(out)
    }

    /// The override's value as the patch carries it (nulls dropped).
    static func cleaned(_ v: Value) -> Value {
        switch v {
        case .object(let o): .object(o.filter { $0.value != .null }.mapValues(cleaned))
        case .array(let a): .array(a.map(cleaned))
        default: v
        }
    }

    static func mergeItems(_ base: [Value], _ patch: [Value], list: MergeList, path: String) throws(Failure) -> [Value] {
        func key(_ v: Value, _ index: Int, _ side: String) throws(Failure) -> Value {
            guard let k = v[list.key], k != .null else { throw Failure(path: "\(path)[\(index)]", key: list.key) }
            return k
        }
        var baseKeys: [Value] = []
        for (i, item) in base.enumerated() { baseKeys.append(try key(item, i, "base")) }
        var patched: [Value] = []
        var patchKeys: [Value] = []
        for (i, item) in patch.enumerated() {
            let k = try key(item, i, "override")
            if patchKeys.contains(k) { continue }
            patchKeys.append(k)
            if let at = baseKeys.firstIndex(of: k) {
                patched.append(try merge(base[at], item, kind: list.element, path: "\(path)[\(i)]"))
            } else {
                patched.append(cleaned(item))
            }
        }
        let serverOnly = base.indices.filter { !patchKeys.contains(baseKeys[$0]) }
        return interleave(
            serverOnly: serverOnly.map { (base[$0], baseKeys[$0]) }, patch: zip(patched, patchKeys).map { ($0, $1) }, serverOrder: baseKeys)
    }

    /// `mergeSortedSlice`: the base's elements the override does not name, inserted among the
    /// override's: a base element goes first when both are in the base and it came first there.
    static func interleave(serverOnly: [(Value, Value)], patch: [(Value, Value)], serverOrder: [Value]) -> [Value] {
        var out: [Value] = []
        var i = 0
        var j = 0
        while i < serverOnly.count || j < patch.count {
            if j >= patch.count {
                out.append(serverOnly[i].0)
                i += 1
            } else if i >= serverOnly.count {
                out.append(patch[j].0)
                j += 1
            } else if let li = serverOrder.firstIndex(of: serverOnly[i].1), let ri = serverOrder.firstIndex(of: patch[j].1), li < ri {
                out.append(serverOnly[i].0)
                i += 1
            } else {
                out.append(patch[j].0)
                j += 1
            }
        }
        return out
    }
}
