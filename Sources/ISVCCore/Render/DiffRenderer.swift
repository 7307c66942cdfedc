/// `isvc diff` output: the rollout summary, then a unified diff per added, removed or changed object.
public struct DiffReport: Sendable {
    public struct ObjectChange: Sendable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public var id: String
        public var apiVersion: String
        public var kind: Kind
        public var diff: String
    }

    public var summary: RolloutSummary
    public var objects: [ObjectChange]

    public var changed: Bool { !objects.isEmpty || summary.components.contains(where: \.changed) || summary.standardChanged }

    /// Compares two compiled outputs; objects are matched by apiVersion, kind, namespace and name.
    public static func make(old: [Value], new: [Value]) -> DiffReport {
        let oldN = old.map(Quantities.normalized), newN = new.map(Quantities.normalized)
        func key(_ v: Value) -> ObjectRef { ObjectRef(v) }
        func id(_ v: Value) -> String { ObjectRef(v).description }
        var oldByKey: [ObjectRef: Value] = [:]
        for v in oldN { oldByKey[key(v)] = v }
        let newKeys = Set(newN.map(key))
        var changes: [ObjectChange] = []
        for v in newN {
            let k = key(v)
            let newText = YAMLWriter.document(v)
            if let o = oldByKey[k] {
                let oldText = YAMLWriter.document(o)
                if oldText != newText {
                    changes.append(
                        ObjectChange(
                            id: id(v), apiVersion: v["apiVersion"]?.string ?? "", kind: .changed,
                            diff: UnifiedDiff.diff(oldText, newText, oldName: "a/\(id(v))", newName: "b/\(id(v))")))
                }
            } else {
                changes.append(
                    ObjectChange(
                        id: id(v), apiVersion: v["apiVersion"]?.string ?? "", kind: .added,
                        diff: UnifiedDiff.diff("", newText, oldName: "/dev/null", newName: "b/\(id(v))")))
            }
        }
        for o in oldN where !newKeys.contains(key(o)) {
            changes.append(
                ObjectChange(
                    id: id(o), apiVersion: o["apiVersion"]?.string ?? "", kind: .removed,
                    diff: UnifiedDiff.diff(YAMLWriter.document(o), "", oldName: "a/\(id(o))", newName: "/dev/null")))
        }
        return DiffReport(summary: RolloutSummary.make(previous: PreviousState(objects: oldN), new: newN), objects: changes)
    }

    /// The report for a person: summary first, then the diffs (coloured when `color`); with
    /// `objectDiffs` false, only the list of changed objects.
    public func text(color: Bool, objectDiffs: Bool = true) -> String {
        var out = ""
        for c in summary.components {
            out += "\(c.namespace)/\(c.service): "
            if c.removed {
                out += "removed\n"
            } else if c.isNew {
                out += "new, revision \(c.latestRevision)\n"
            } else if let rev = c.newRevision {
                out += "new revision \(rev)\n"
                if !c.reasons.isEmpty { out += "  template changed: \(c.reasons.joined(separator: ", "))\n" }
            } else {
                out += "no new revision (\(c.latestRevision))\n"
            }
            let before = c.before.map(\.text).joined(separator: ", ")
            let after = c.after.map(\.text).joined(separator: ", ")
            if !c.isNew && !c.removed && before == after {
                out += "  traffic: \(after) (unchanged)\n"
            } else {
                if !c.isNew { out += "  traffic before: \(before.isEmpty ? "none" : before)\n" }
                if !c.removed { out += "  traffic after:  \(after.isEmpty ? "none" : after)\n" }
            }
            for r in c.unrouted { out += "  no longer routed: \(r) (Knative keeps it in reserve until garbage collection)\n" }
            for u in c.urlsAdded { out += "  + URL \(u)\n" }
            for u in c.urlsRemoved { out += "  - URL \(u)\n" }
        }
        for w in summary.workloads {
            switch w.status {
            case "new": out += "\(w.namespace)/\(w.name) (Deployment): new\n"
            case "removed": out += "\(w.namespace)/\(w.name) (Deployment): removed\n"
            default:
                out += "\(w.namespace)/\(w.name) (Deployment): new pods (rolling update)\n"
                out += "  pod template changed: \(w.reasons.joined(separator: ", "))\n"
            }
        }
        for r in summary.routes {
            let before = r.before.map(\.text).joined(separator: ", "), after = r.after.map(\.text).joined(separator: ", ")
            if before == after {
                out += "\(r.namespace)/\(r.name) (HTTPRoute): traffic \(after) (unchanged)\n"
            } else {
                out += "\(r.namespace)/\(r.name) (HTTPRoute):\n"
                out += "  traffic before: \(before.isEmpty ? "none" : before)\n"
                out += "  traffic after:  \(after.isEmpty ? "none" : after)\n"
            }
        }
        if !objects.isEmpty {
            let counts = [DiffReport.ObjectChange.Kind.added, .changed, .removed].map { k in
                "\(objects.filter { $0.kind == k }.count) \(k.rawValue)"
            }
            out += "\nobjects: \(counts.joined(separator: ", "))\n"
        } else {
            out += "\nobjects: no changes\n"
        }
        if !objectDiffs {
            for change in objects { out += "  \(change.kind.rawValue): \(change.id)\n" }
            return out
        }
        for change in objects {
            out += "\n"
            for line in change.diff.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                if color {
                    let code = line.hasPrefix("+") ? "32" : line.hasPrefix("-") ? "31" : line.hasPrefix("@@") ? "36" : nil
                    out += code.map { "\u{1B}[\($0)m\(line)\u{1B}[0m" } ?? String(line)
                } else {
                    out += line
                }
                out += "\n"
            }
        }
        return out
    }

    /// The same report as data, for CI bots.
    public var json: Value {
        func split(_ s: RolloutSummary.Split) -> Value {
            var v: Value = ["revision": .string(s.revision), "percent": .int(s.percent), "latestRevision": .bool(s.latest)]
            if let tag = s.tag { v["tag"] = .string(tag) }
            return v
        }
        let components: [Value] = summary.components.map { c in
            var v: Value = [
                "namespace": .string(c.namespace), "service": .string(c.service),
                "status": .string(c.removed ? "removed" : c.isNew ? "new" : c.newRevision != nil ? "new-revision" : "same-revision"),
                "latestRevision": .string(c.latestRevision),
                "templateChanges": .array(c.reasons.map { .string($0) }),
                "trafficBefore": .array(c.before.map(split)), "trafficAfter": .array(c.after.map(split)),
                "urlsAdded": .array(c.urlsAdded.map { .string($0) }), "urlsRemoved": .array(c.urlsRemoved.map { .string($0) }),
                "noLongerRouted": .array(c.unrouted.map { .string($0) }),
            ]
            if let r = c.newRevision { v["newRevision"] = .string(r) }
            return v
        }
        let workloads: [Value] = summary.workloads.map { w in
            [
                "namespace": .string(w.namespace), "deployment": .string(w.name), "status": .string(w.status),
                "templateChanges": .array(w.reasons.map { .string($0) }),
            ]
        }
        let routes: [Value] = summary.routes.map { r in
            [
                "namespace": .string(r.namespace), "httpRoute": .string(r.name),
                "trafficBefore": .array(r.before.map(split)), "trafficAfter": .array(r.after.map(split)),
            ]
        }
        return [
            "changed": .bool(changed),
            "components": .array(components),
            "deployments": .array(workloads),
            "routes": .array(routes),
            "objects": .array(
                objects.map {
                    [
                        "object": .string($0.id), "apiVersion": .string($0.apiVersion),
                        "change": .string($0.kind.rawValue), "diff": .string($0.diff),
                    ]
                }),
        ]
    }
}
