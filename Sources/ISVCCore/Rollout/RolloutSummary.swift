/// What a change does to each Knative Service: whether Knative creates a revision (and which
/// template fields caused it), traffic before and after, URLs that appear or disappear.
public struct RolloutSummary: Sendable {
    public struct Split: Sendable, Equatable {
        public var revision: String
        public var percent: Int
        public var tag: String?
        public var latest: Bool

        public var text: String {
            var t = "\(revision) \(percent)%"
            var notes: [String] = []
            if latest { notes.append("latest") }
            if let tag { notes.append("tag \(tag)") }
            if !notes.isEmpty { t += " (\(notes.joined(separator: ", ")))" }
            return t
        }
    }

    public struct Component: Sendable {
        public var namespace: String
        public var service: String
        public var isNew: Bool
        public var newRevision: String?
        public var reasons: [String]
        public var latestRevision: String
        public var before: [Split]
        public var after: [Split]
        public var urlsAdded: [String]
        public var urlsRemoved: [String]
        public var unrouted: [String]
        public var removed: Bool

        public var changed: Bool {
            isNew || removed || newRevision != nil || before != after || !urlsAdded.isEmpty || !urlsRemoved.isEmpty
        }
    }

    public var components: [Component] = []

    /// Standard mode: a KServe Deployment whose pod template changed rolls out new pods.
    public struct Workload: Sendable {
        public var namespace: String
        public var name: String
        public var status: String  // new | changed | removed
        public var reasons: [String]
    }

    /// Standard mode: the weights of a route's default rule (HTTPRoute backendRefs).
    public struct RouteTraffic: Sendable {
        public var namespace: String
        public var name: String
        public var before: [Split]
        public var after: [Split]
    }

    public var workloads: [Workload] = []
    public var routes: [RouteTraffic] = []

    public var standardChanged: Bool { !workloads.isEmpty || routes.contains { $0.before != $0.after } }

    static func standard(old: [Value], new: [Value], into summary: inout RolloutSummary) {
        func isWorkload(_ v: Value) -> Bool {
            v["kind"]?.string == "Deployment" && v[path: ["metadata", "labels", Keys.inferenceService]] != nil
                && v[path: ["metadata", "labels", Keys.knRevision]] == nil
        }
        func key(_ v: Value) -> String {
            "\(v[path: ["metadata", "namespace"]]?.string ?? "")/\(v[path: ["metadata", "name"]]?.string ?? "")"
        }
        let oldDeployments = Dictionary(old.filter(isWorkload).map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let newDeployments = Dictionary(new.filter(isWorkload).map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        for k in newDeployments.keys.sorted() {
            let v = newDeployments[k]!, parts = k.split(separator: "/").map(String.init)
            if let o = oldDeployments[k] {
                let reasons = TemplateChanges.paths(from: o[path: ["spec", "template"]] ?? [:], to: v[path: ["spec", "template"]] ?? [:])
                if !reasons.isEmpty {
                    summary.workloads.append(Workload(namespace: parts[0], name: parts[1], status: "changed", reasons: reasons))
                }
            } else {
                summary.workloads.append(Workload(namespace: parts[0], name: parts[1], status: "new", reasons: []))
            }
        }
        for k in oldDeployments.keys.sorted() where newDeployments[k] == nil {
            let parts = k.split(separator: "/").map(String.init)
            summary.workloads.append(Workload(namespace: parts[0], name: parts[1], status: "removed", reasons: []))
        }
        func splits(_ route: Value?) -> [Split] {
            guard let refs = route?[path: ["spec", "rules"]]?.array?.last?["backendRefs"]?.array else { return [] }
            return refs.map {
                Split(
                    revision: $0["name"]?.string ?? "", percent: refs.count == 1 ? 100 : ($0["weight"]?.int ?? 1),
                    tag: nil, latest: false)
            }
        }
        let oldRoutes = Dictionary(old.filter { $0["kind"]?.string == "HTTPRoute" }.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let newRoutes = Dictionary(new.filter { $0["kind"]?.string == "HTTPRoute" }.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        for k in Set(oldRoutes.keys).union(newRoutes.keys).sorted() {
            let parts = k.split(separator: "/").map(String.init)
            summary.routes.append(
                RouteTraffic(namespace: parts[0], name: parts[1], before: splits(oldRoutes[k]), after: splits(newRoutes[k])))
        }
    }

    public static func make(previous: PreviousState, new: [Value]) -> RolloutSummary {
        let next = PreviousState(objects: new)
        var summary = RolloutSummary()
        func splits(_ c: PreviousState.Component) -> [Split] {
            c.traffic.map { t in
                let isLatest = t["latestRevision"] == .bool(true) || t["revisionName"] == nil
                return Split(
                    revision: isLatest ? c.latestRevision : (t["revisionName"]?.string ?? ""),
                    percent: t["percent"]?.int ?? 0, tag: t["tag"]?.string, latest: isLatest)
            }
        }
        let keys = next.components.keys.sorted() + previous.components.keys.sorted().filter { next.components[$0] == nil }
        for key in keys {
            let old = previous.components[key], now = next.components[key]
            guard let any = now ?? old else { continue }
            var c = Component(
                namespace: any.namespace, service: any.service, isNew: old == nil, newRevision: nil, reasons: [],
                latestRevision: now?.latestRevision ?? "", before: old.map(splits) ?? [], after: now.map(splits) ?? [],
                urlsAdded: [], urlsRemoved: [], unrouted: [], removed: now == nil)
            if let old, let now, now.latestRevision != old.latestRevision {
                c.newRevision = now.latestRevision
                c.reasons = TemplateChanges.paths(from: old.template, to: now.template)
            } else if old == nil, let now {
                c.newRevision = now.latestRevision
            }
            let oldURLs = Set(old?.urls ?? []), newURLs = Set(now?.urls ?? [])
            c.urlsAdded = newURLs.subtracting(oldURLs).sorted()
            c.urlsRemoved = oldURLs.subtracting(newURLs).sorted()
            let routedBefore = Set(c.before.filter { $0.percent > 0 || $0.tag != nil }.map(\.revision))
            let routedAfter = Set(c.after.map(\.revision))
            c.unrouted = routedBefore.subtracting(routedAfter).sorted()
            summary.components.append(c)
        }
        standard(old: previous.ordered, new: new, into: &summary)
        return summary
    }
}
