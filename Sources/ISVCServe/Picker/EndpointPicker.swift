import Foundation
import NIOConcurrencyHelpers

/// isvc's endpoint picker for an InferencePool: the EPP's scheduling profile run in process. Each
/// candidate replica gets each scorer's score in [0, 1]; its total is the weighted sum; the highest
/// total wins, ties broken at random (`max-score-picker`). Replica metrics come from their
/// `/metrics` (scraped by the gateway, `update`); the prefix cache and the LRU from the picks made.
public final class EndpointPicker: Sendable {
    public struct Candidate: Sendable {
        public var name: String
        /// `ip:port`, what the EPP writes in `x-gateway-destination-endpoint`.
        public var address: String
        /// Requests the gateway has in flight to it.
        public var inFlight: Int
    }

    public struct Pick: Sendable {
        public var name: String
        public var address: String
        /// Per candidate, in candidate order: its scores by scorer and its total.
        public var scores: [(name: String, scores: [(EndpointPickerConfig.Scorer, Double)], total: Double)]
        /// The debug line explaining the pick.
        public var explanation: String
    }

    struct State {
        var metrics: [String: (ReplicaMetrics, ContinuousClock.Instant)] = [:]
        var prefix: PrefixCacheIndex
        var lastUsed: [String: UInt64] = [:]
        var tick: UInt64 = 0
    }

    public let pool: String
    public let config: EndpointPickerConfig
    /// Metrics older than this are not used (llm-d's staleness threshold, 2 s).
    static let staleness: Duration = .seconds(2)
    private let state: NIOLockedValueBox<State>

    public init(pool: String, config: EndpointPickerConfig) {
        self.pool = pool
        self.config = config
        state = NIOLockedValueBox(
            State(prefix: PrefixCacheIndex(blockSizeTokens: config.blockSizeTokens, capacity: config.lruCapacityPerServer)))
    }

    /// A replica's latest metrics.
    public func update(_ metrics: ReplicaMetrics, for endpoint: String, at now: ContinuousClock.Instant = .now) {
        state.withLockedValue { $0.metrics[endpoint] = (metrics, now) }
    }

    /// Forgets the metrics and cached prefixes of replicas that are gone.
    public func keep(only endpoints: Set<String>) {
        state.withLockedValue { state in
            state.prefix.keep(only: endpoints)
            state.metrics = state.metrics.filter { endpoints.contains($0.key) }
            state.lastUsed = state.lastUsed.filter { endpoints.contains($0.key) }
        }
    }

    /// The number of block hashes held for `endpoint` (queue entries included), for tests.
    func heldEntries(_ endpoint: String) -> Int { state.withLockedValue { $0.prefix.entries(endpoint) } }

    /// Picks one of `candidates` (not empty) for a request whose prompt is `prompt` (nil: none read).
    public func pick(
        _ candidates: [Candidate], prompt: String?, now: ContinuousClock.Instant = .now,
        random: (Int) -> Int = { Int.random(in: 0..<$0) }
    ) -> Pick {
        state.withLockedValue { state in
            let hashes = prompt.map { state.prefix.hashes($0) } ?? []
            let metrics = candidates.map { c -> ReplicaMetrics in
                guard let (m, at) = state.metrics[c.name], now - at <= Self.staleness else { return ReplicaMetrics() }
                return m
            }
            let matched = candidates.map { state.prefix.matched(hashes, on: $0.name) }
            let cold = matched.allSatisfy { $0 == 0 }
            var table: [[(EndpointPickerConfig.Scorer, Double)]] = Array(repeating: [], count: candidates.count)
            for weighted in config.scorers {
                let scores = Self.scores(
                    weighted.scorer, candidates: candidates, metrics: metrics, matched: matched, blocks: hashes.count, cold: cold,
                    lastUsed: state.lastUsed)
                for i in candidates.indices { table[i].append((weighted.scorer, scores[i])) }
            }
            let totals = table.map { row in zip(row, config.scorers).reduce(0) { $0 + $1.0.1 * $1.1.weight } }
            let best = totals.max() ?? 0
            let tied = candidates.indices.filter { abs(totals[$0] - best) < 1e-9 }
            let chosen = tied[tied.count > 1 ? random(tied.count) : 0]
            let name = candidates[chosen].name
            state.prefix.record(hashes, on: name)
            state.tick += 1
            if cold { state.lastUsed[name] = state.tick }
            let explanation = Self.explain(
                pool: pool, candidates: candidates, table: table, totals: totals, weights: config.scorers, chosen: chosen,
                matched: matched, blocks: hashes.count)
            return Pick(
                name: name, address: candidates[chosen].address,
                scores: candidates.indices.map { (candidates[$0].name, table[$0], totals[$0]) }, explanation: explanation)
        }
    }

    /// One scorer's scores for every candidate, as llm-d's scorer of that name computes them.
    static func scores(
        _ scorer: EndpointPickerConfig.Scorer, candidates: [Candidate], metrics: [ReplicaMetrics], matched: [Int], blocks: Int,
        cold: Bool, lastUsed: [String: UInt64]
    ) -> [Double] {
        switch scorer {
        case .queue:
            // (max - q) / (max - min) over the candidates' waiting requests; 1 when all are equal.
            let q = metrics.map(\.waiting)
            guard let lo = q.min(), let hi = q.max(), hi > lo else { return q.map { _ in 1 } }
            return q.map { (hi - $0) / (hi - lo) }
        case .kvCacheUtilization:
            return metrics.map { max(0, min(1, 1 - $0.kvCacheUsage)) }
        case .prefixCache:
            return matched.map { blocks == 0 ? 0 : Double($0) / Double(blocks) }
        case .noHitLRU:
            // Warm requests: 0.5 for all. Cold ones: the least recently used (never used first) 1.0,
            // down to 0 for the most recently used.
            guard cold else { return candidates.map { _ in 0.5 } }
            guard candidates.count > 1 else { return [1] }
            let order = candidates.indices.sorted {
                let a = lastUsed[candidates[$0].name] ?? 0, b = lastUsed[candidates[$1].name] ?? 0
                return a != b ? a < b : candidates[$0].name < candidates[$1].name
            }
            var out = Array(repeating: 0.0, count: candidates.count)
            for (rank, i) in order.enumerated() { out[i] = 1 - Double(rank) / Double(candidates.count - 1) }
            return out
        case .activeRequest:
            let busiest = candidates.map(\.inFlight).max() ?? 0
            return candidates.map { busiest == 0 ? 1 : 1 - Double($0.inFlight) / Double(busiest) }
        }
    }

    static func explain(
        pool: String, candidates: [Candidate], table: [[(EndpointPickerConfig.Scorer, Double)]], totals: [Double],
        weights: [EndpointPickerConfig.Weighted], chosen: Int, matched: [Int], blocks: Int
    ) -> String {
        func number(_ x: Double) -> String { String(format: "%.2f", x) }
        func weight(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
        let rows = candidates.indices.map { i in
            let parts = zip(table[i], weights).map { "\($0.0.0.label) \(number($0.0.1))x\(weight($0.1.weight))" }
            return "\(candidates[i].name) \(number(totals[i])) [\(parts.joined(separator: ", "))]"
        }
        return "picker \(pool): \(rows.joined(separator: "; ")) -> \(candidates[chosen].name) (\(candidates[chosen].address)); "
            + "prefix \(matched[chosen])/\(blocks) blocks"
    }
}
