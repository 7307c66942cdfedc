import ISVCCore

/// The endpoint picker's scheduling profile, read from the EPP Deployment's `--config-text`
/// (llm-d's `EndpointPickerConfig`): which scorers run, with which weights and parameters. isvc's
/// picker runs one profile (`single-profile-handler`); scorers it does not implement are named in
/// `unsupported` and take no part.
public struct EndpointPickerConfig: Sendable, Equatable {
    public enum Scorer: String, Sendable, Equatable, CaseIterable {
        case queue = "queue-scorer"
        case kvCacheUtilization = "kv-cache-utilization-scorer"
        case prefixCache = "prefix-cache-scorer"
        case noHitLRU = "no-hit-lru-scorer"
        case activeRequest = "active-request-scorer"

        /// The short name debug lines use.
        var label: String {
            switch self {
            case .queue: "queue"
            case .kvCacheUtilization: "kv-cache"
            case .prefixCache: "prefix"
            case .noHitLRU: "no-hit-lru"
            case .activeRequest: "active"
            }
        }
    }

    public struct Weighted: Sendable, Equatable {
        public var scorer: Scorer
        public var weight: Double
    }

    public var scorers: [Weighted]
    /// The prefix-cache scorer's block size in tokens (`blockSizeTokens`, 16 by default, at least 64
    /// as the approximate producer clamps it) and its per-endpoint LRU capacity in blocks.
    public var blockSizeTokens = 64
    public var lruCapacityPerServer = 31_250
    /// What the config asks that the picker does not do, one line each.
    public var unsupported: [String] = []

    /// llm-d's defaults when no config is given (`pkg/epp/config/loader/defaults.go`): queue 2,
    /// kv-cache utilization 2, prefix cache 3.
    public static let upstreamDefault = EndpointPickerConfig(scorers: [
        .init(scorer: .queue, weight: 2), .init(scorer: .kvCacheUtilization, weight: 2), .init(scorer: .prefixCache, weight: 3),
    ])

    public init(scorers: [Weighted]) { self.scorers = scorers }

    /// The config in a scheduler container's args (`--config-text`); the upstream default for none.
    public init(schedulerArgs args: [String]) {
        guard let i = args.firstIndex(of: "--config-text"), i + 1 < args.count else {
            self = Self.upstreamDefault
            if args.contains("--config-file") {
                unsupported.append("--config-file is not read; the picker uses llm-d's default profile")
            }
            return
        }
        let documents = YAMLReader.read(text: args[i + 1], file: "--config-text", diagnostics: Diagnostics())
        self.init(config: documents.first.map { Value($0.root) } ?? [:])
    }

    /// An EndpointPickerConfig document.
    public init(config: Value) {
        scorers = []
        var types: [String: String] = [:]
        var parameters: [String: Value] = [:]
        for plugin in config["plugins"]?.array ?? [] {
            guard let type = plugin["type"]?.string else { continue }
            let name = plugin["name"]?.string ?? type
            types[name] = type
            if let p = plugin["parameters"] { parameters[name] = p }
        }
        let profiles = config["schedulingProfiles"]?.array ?? []
        if profiles.count > 1 {
            unsupported.append("\(profiles.count) scheduling profiles: the picker runs the first (\(profiles[0]["name"]?.string ?? ""))")
        }
        // What the picker does itself: the profile handler, the picker, the prefix producer (its
        // block size and LRU read below) and the metrics data source (/metrics every 50 ms).
        let handlers: Set<String> = ["single-profile-handler"]
        let emulated: Set<String> = ["max-score-picker", "approx-prefix-cache-producer", "metrics-data-source"]
        for (name, type) in types.sorted(by: { $0.key < $1.key }) where !handlers.contains(type) && !emulated.contains(type) {
            if Scorer(rawValue: type) == nil { unsupported.append("plugin \(name) (\(type)) is not run by isvc's picker") }
        }
        // The block size and LRU belong to the prefix producer since llm-d 0.7 (to the scorer before).
        for (name, type) in types where type == "approx-prefix-cache-producer" || type == "prefix-cache-scorer" {
            guard let p = parameters[name] else { continue }
            if let size = p["blockSizeTokens"]?.int { blockSizeTokens = max(64, size) }
            if let lru = p["lruCapacityPerServer"]?.int { lruCapacityPerServer = max(1, lru) }
        }
        if let handler = types.values.first(where: { $0.hasSuffix("-profile-handler") && !handlers.contains($0) }) {
            unsupported.append("profile handler \(handler): the picker runs one profile")
        }
        for ref in profiles.first?["plugins"]?.array ?? [] {
            guard let name = ref["pluginRef"]?.string, let type = types[name], let scorer = Scorer(rawValue: type) else { continue }
            let weight: Double
            switch ref["weight"] {
            case .double(let w)?: weight = w
            case .int(let w)?: weight = Double(w)
            default: weight = 1
            }
            scorers.append(.init(scorer: scorer, weight: weight))
        }
    }
}
