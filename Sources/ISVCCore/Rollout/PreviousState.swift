/// What a cluster would know from an earlier rollout, read back from an earlier `isvc compile`
/// output: per Knative Service, the latest revision and its template, the Route's traffic, and the
/// revision KServe counts as rolled out (`status.components.<c>.latestRolledoutRevision`).
public struct PreviousState: Sendable {
    public struct Component: Sendable {
        public var service: String
        public var namespace: String
        /// The Configuration generation of the latest revision (its `-0000N`).
        public var generation: Int
        public var latestRevision: String
        /// `spec.template` of the Knative Service (as stored, with Knative's defaults).
        public var template: Value
        public var traffic: [Value]
        /// The revision holding the traffic KServe treats as stable: the latest revision when it has
        /// 100%, else the revision tagged `prev` (a canary is still running).
        public var rolledOutRevision: String
        /// Every Revision object of the previous output, by name.
        public var revisions: [String: Value]
        public var urls: [String]
    }

    /// All objects of the previous output, by identity.
    public var objects: [ObjectRef: Value] = [:]
    /// The previous output in its order (for diffs).
    public var ordered: [Value] = []
    public var components: [String: Component] = [:]

    public init() {}

    public func component(namespace: String, name: String) -> Component? {
        components["\(namespace)/\(name)"]
    }

    /// Builds the state from the objects of a compiled output (YAML documents as values).
    public init(objects values: [Value]) {
        ordered = values
        for v in values { objects[ObjectRef(v)] = v }
        for v in values where v["kind"]?.string == "Service" && v["apiVersion"]?.string == "serving.knative.dev/v1" {
            let ns = v[path: ["metadata", "namespace"]]?.string ?? ""
            let name = v[path: ["metadata", "name"]]?.string ?? ""
            var revisions: [String: Value] = [:]
            var latest = (generation: 0, name: "")
            for r in values
            where r["kind"]?.string == "Revision" && r[path: ["metadata", "namespace"]]?.string == ns
                && r[path: ["metadata", "labels", Keys.knConfiguration]]?.string == name
            {
                let revName = r[path: ["metadata", "name"]]?.string ?? ""
                revisions[revName] = r
                let gen = Int(r[path: ["metadata", "labels", Keys.knConfigurationGeneration]]?.string ?? "") ?? 0
                if gen > latest.generation { latest = (gen, revName) }
            }
            guard latest.generation > 0 else { continue }
            let traffic = v[path: ["spec", "traffic"]]?.array ?? []
            let latestPercent = traffic.filter { $0["latestRevision"] == .bool(true) }.compactMap { $0["percent"]?.int }.reduce(0, +)
            let prev = traffic.first { $0["tag"]?.string == "prev" }?["revisionName"]?.string
            let rolledOut = latestPercent >= 100 || prev == nil ? latest.name : prev!
            var urls: [String] = []
            for o in values
            where o["kind"]?.string == "Ingress" && o[path: ["metadata", "namespace"]]?.string == ns
                && o[path: ["metadata", "name"]]?.string == name
            {
                for rule in o[path: ["spec", "rules"]]?.array ?? [] where rule["visibility"]?.string == "ExternalIP" {
                    urls += (rule["hosts"]?.array ?? []).compactMap(\.string).map { "http://\($0)" }
                }
            }
            components["\(ns)/\(name)"] = Component(
                service: name, namespace: ns, generation: latest.generation, latestRevision: latest.name,
                template: v[path: ["spec", "template"]] ?? [:], traffic: traffic, rolledOutRevision: rolledOut,
                revisions: revisions, urls: urls)
        }
    }

    /// Reads a compiled output: YAML streams (files), or a directory of them (`--out`), whose
    /// kustomization.yaml is skipped.
    public static func load(_ sources: [InputLoader.Source], diagnostics: Diagnostics) -> PreviousState {
        var values: [Value] = []
        for source in sources {
            for doc in YAMLReader.read(text: source.text, file: source.path, diagnostics: diagnostics) {
                if doc.root["kind"]?.string == "Kustomization" { continue }
                if let kind = doc.root["kind"]?.string, InputFiles.inputKinds.contains(kind) {
                    diagnostics.report(
                        "this is an \(kind), not compiled output: pass the output of isvc compile as --previous",
                        at: doc.root.location, rule: PreviousStateRule.notCompiled)
                    continue
                }
                values.append(Quantities.normalized(Value(doc.root)))
            }
        }
        return PreviousState(objects: values)
    }
}
