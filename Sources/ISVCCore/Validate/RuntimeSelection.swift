import Foundation

/// KServe's runtime selection for a model-format predictor (`ModelSpec.GetSupportingRuntimes` and the
/// explicit-runtime lookup), with the reason each candidate was rejected, for diagnostics.
public struct RuntimeSelection: Sendable {
    public struct Rejected: Sendable {
        public var runtime: ServingRuntime
        public var reason: String
    }

    public var chosen: ServingRuntime?
    /// Candidates that matched but ranked below the chosen one, in rank order.
    public var rankedLower: [ServingRuntime] = []
    public var rejected: [Rejected] = []

    /// KServe's protocol enum order: v1 < v2 < grpc-v1 < grpc-v2; runtimes without protocols rank last.
    static func protocolRank(_ p: String) -> Int {
        switch p {
        case "v1": return 1
        case "v2": return 2
        case "grpc-v1": return 3
        case "grpc-v2": return 4
        default: return 5
        }
    }

    static func lowestProtocol(of runtime: ServingRuntime) -> String? {
        runtime.protocolVersions.min { protocolRank($0) < protocolRank($1) }
    }

    /// Auto-selection: namespace runtimes (in the isvc's namespace) before cluster runtimes; in each scope,
    /// pre-sorted by protocol rank, creationTimestamp (newest first), name; then a stable sort by the
    /// priority of the first supportedModelFormat with the model's format name.
    static func select(
        format: String, version: String?, protocolVersion: String, namespace: String,
        hasWorkerSpec: Bool, runtimes: [ServingRuntime]
    ) -> RuntimeSelection {
        var selection = RuntimeSelection()
        let modelLabel = version.map { "mt:\(format):\($0)" } ?? "mt:\(format)"
        func candidates(_ scope: [ServingRuntime]) -> [ServingRuntime] {
            let presorted = scope.sorted { a, b in
                let pa = a.protocolVersions.map(protocolRank).min() ?? 5
                let pb = b.protocolVersions.map(protocolRank).min() ?? 5
                if pa != pb { return pa < pb }
                let ta = a.creationTimestamp ?? "", tb = b.creationTimestamp ?? ""
                if ta != tb { return ta > tb }
                return a.name < b.name
            }
            var matched: [ServingRuntime] = []
            for runtime in presorted {
                if let reason = rejection(
                    runtime, modelLabel: modelLabel, format: format, version: version,
                    protocolVersion: protocolVersion, hasWorkerSpec: hasWorkerSpec)
                {
                    selection.rejected.append(Rejected(runtime: runtime, reason: reason))
                } else {
                    matched.append(runtime)
                }
            }
            // Stable sort by priority: runtimes with a priority first, higher first.
            return matched.enumerated().sorted { a, b in
                let pa = priority(a.element, format), pb = priority(b.element, format)
                switch (pa, pb) {
                case let (x?, y?) where x != y: return x > y
                case (.some, nil): return true
                case (nil, .some): return false
                default: return a.offset < b.offset
                }
            }.map(\.element)
        }
        let namespaced = runtimes.filter { !$0.clusterScoped && ($0.meta.namespace?.value ?? namespace) == namespace }
        let cluster = runtimes.filter(\.clusterScoped)
        let all = candidates(namespaced) + candidates(cluster)
        selection.chosen = all.first
        selection.rankedLower = Array(all.dropFirst())
        return selection
    }

    static func priority(_ runtime: ServingRuntime, _ format: String) -> Int? {
        runtime.formats.first { $0.name == format }?.priority
    }

    static func rejection(
        _ runtime: ServingRuntime, modelLabel: String, format: String, version: String?,
        protocolVersion: String, hasWorkerSpec: Bool
    ) -> String? {
        if runtime.disabled { return "it is disabled" }
        if runtime.multiModel { return "it is a multi-model runtime (ModelMesh)" }
        var labels: Set<String> = []
        for f in runtime.formats where f.autoSelect {
            labels.insert("mt:\(f.name)")
            if let v = f.version { labels.insert("mt:\(f.name):\(v)") }
        }
        if !labels.contains(modelLabel) {
            let same = runtime.formats.filter { $0.name == format }
            if same.isEmpty {
                let names = runtime.formats.map { f in f.version.map { "\(f.name) \($0)" } ?? f.name }
                return "it does not support model format \(format) (supports: \(names.isEmpty ? "none" : names.joined(separator: ", ")))"
            }
            if same.allSatisfy({ !$0.autoSelect }) {
                return "its \(format) format has autoSelect false; name it with spec.predictor.model.runtime to use it"
            }
            let versions = same.compactMap(\.version)
            return "it supports \(format) version \(versions.isEmpty ? "(none)" : versions.joined(separator: ", ")), not \(version ?? "")"
        }
        if !runtime.protocolVersions.isEmpty, !runtime.protocolVersions.contains(protocolVersion) {
            return "it does not support protocol \(protocolVersion) (supports: \(runtime.protocolVersions.joined(separator: ", ")))"
        }
        if runtime.hasWorkerSpec != hasWorkerSpec {
            return hasWorkerSpec
                ? "it has no workerSpec and the predictor has one"
                : "it is a multi-node runtime (workerSpec) and the predictor has no workerSpec"
        }
        return nil
    }

    /// Most other candidates one diagnostic lists; with thousands of runtimes, each warning listing
    /// every other one made output quadratic in the input (5,000 runtimes: over a gigabyte).
    static let maxCandidatesListed = 10

    /// One note per candidate, for a diagnostic: why each was rejected or ranked lower, at the runtime's
    /// document when it came from the input; past `maxCandidatesListed`, how many more there are.
    func notes(format: String) -> [Note] {
        func at(_ runtime: ServingRuntime) -> SourceLocation? { runtime.builtIn ? nil : runtime.location }
        var notes: [Note] = []
        for r in rankedLower {
            let why =
                r.clusterScoped && chosen?.clusterScoped == false
                ? "namespace runtimes come before cluster runtimes"
                : Self.priority(r, format).map { "priority \($0)" } ?? "no priority for \(format)"
            notes.append(Note("ranked lower: \(r.kind) \(r.name) (\(why))", at: at(r)))
            if notes.count > Self.maxCandidatesListed { break }
        }
        // Runtimes that do not list the model format at all are left out: they were never candidates.
        for r in rejected
        where notes.count <= Self.maxCandidatesListed
            && (r.runtime.formats.contains(where: { $0.name == format }) || !r.runtime.builtIn)
        {
            notes.append(Note("rejected: \(r.runtime.kind) \(r.runtime.name): \(r.reason)", at: at(r.runtime)))
        }
        if notes.count > Self.maxCandidatesListed {
            // Count the rest without building their notes.
            let rejectedListed = rejected.filter { $0.runtime.formats.contains(where: { $0.name == format }) || !$0.runtime.builtIn }.count
            let more = rankedLower.count + rejectedListed - Self.maxCandidatesListed
            notes.removeLast(notes.count - Self.maxCandidatesListed)
            notes.append(Note("... and \(more) more"))
        }
        if let chosen {
            let priority = Self.priority(chosen, format).map { " (priority \($0))" } ?? ""
            notes.insert(Note("chosen: \(chosen.kind) \(chosen.name)\(priority)", at: at(chosen)), at: 0)
        }
        return notes
    }
}

/// Selections already made in one validation run, by everything a selection depends on besides the
/// runtimes (the same for the whole run): InferenceServices of one model format share one selection,
/// so thousands of them with thousands of runtimes sort and reject the runtimes once, not once each.
final class RuntimeSelectionCache: Sendable {
    private let selections = Locked<[String: RuntimeSelection]>([:])

    /// How many selections were made (not found in the cache).
    var made: Int { selections.withLock { $0.count } }

    func select(
        format: String, version: String?, protocolVersion: String, namespace: String,
        hasWorkerSpec: Bool, runtimes: [ServingRuntime]
    ) -> RuntimeSelection {
        let key = [format, version.map { "=" + $0 } ?? "", protocolVersion, namespace, hasWorkerSpec ? "w" : ""].joined(separator: "\u{0}")
        if let known = selections.withLock({ $0[key] }) { return known }
        let selection = RuntimeSelection.select(
            format: format, version: version, protocolVersion: protocolVersion,
            namespace: namespace, hasWorkerSpec: hasWorkerSpec, runtimes: runtimes)
        selections.withLock { $0[key] = selection }
        return selection
    }
}
