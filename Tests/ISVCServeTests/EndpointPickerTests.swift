import Foundation
import Testing

@testable import ISVCServe

/// isvc's endpoint picker, scorer by scorer, against the formulas of llm-d's scorers.
@Suite("Endpoint picker: scores and picks")
struct EndpointPickerTests {
    static let candidates = ["a", "b", "c"].enumerated().map {
        EndpointPicker.Candidate(name: $0.element, address: "127.0.0.1:\(8000 + $0.offset)", inFlight: 0)
    }
    /// A prompt of `blocks` full 64-token blocks (256 characters each) from `seed`.
    static func prompt(_ seed: String, blocks: Int) -> String {
        String(repeating: seed, count: blocks * 256 / seed.count + 1).prefix(blocks * 256).description
    }

    @Test("queue: (max - waiting) / (max - min), 1 when all wait alike; kv-cache: 1 - usage")
    func queueAndKVCache() {
        let picker = EndpointPicker(
            pool: "p", config: .init(scorers: [.init(scorer: .queue, weight: 2), .init(scorer: .kvCacheUtilization, weight: 1)]))
        picker.update(.init(waiting: 4, kvCacheUsage: 0.5), for: "a")
        picker.update(.init(waiting: 0, kvCacheUsage: 0.9), for: "b")
        picker.update(.init(waiting: 2, kvCacheUsage: 0.0), for: "c")
        let pick = picker.pick(Self.candidates, prompt: nil)
        let totals = Dictionary(uniqueKeysWithValues: pick.scores.map { ($0.name, $0.total) })
        #expect(abs(totals["a"]! - (0 * 2 + 0.5)) < 1e-9)
        #expect(abs(totals["b"]! - (1 * 2 + 0.1)) < 1e-9)
        #expect(abs(totals["c"]! - (0.5 * 2 + 1.0)) < 1e-9)
        #expect(pick.name == "b" && pick.address == "127.0.0.1:8001")
        #expect(pick.explanation.contains("-> b (127.0.0.1:8001)"), "\(pick.explanation)")
        // Metrics older than the staleness threshold are not used: all equal again.
        let later = ContinuousClock.now + .seconds(3)
        let stale = picker.pick(Self.candidates, prompt: nil, now: later, random: { _ in 2 })
        #expect(stale.scores.allSatisfy { abs($0.total - 3) < 1e-9 } && stale.name == "c")
    }

    @Test("prefix cache: the share of the prompt's leading blocks an endpoint was sent; a partial block is not cached")
    func prefixCache() {
        let picker = EndpointPicker(pool: "p", config: .init(scorers: [.init(scorer: .prefixCache, weight: 1)]))
        let shared = Self.prompt("system prompt. ", blocks: 3)
        // Cold: all 0, a random tie-break; the chosen endpoint then holds the blocks.
        let first = picker.pick(Self.candidates, prompt: shared + "question one", random: { _ in 1 })
        #expect(first.name == "b")
        let second = picker.pick(Self.candidates, prompt: shared + Self.prompt("other ", blocks: 1), random: { _ in 0 })
        #expect(second.name == "b")
        let row = second.scores.first { $0.name == "b" }!
        #expect(abs(row.total - 0.75) < 1e-9, "3 of 4 blocks: \(second.explanation)")
        #expect(second.explanation.hasSuffix("prefix 3/4 blocks"))
        // Shorter than a block: nothing to match, nothing recorded.
        let short = picker.pick(Self.candidates, prompt: "hi", random: { _ in 2 })
        #expect(short.name == "c" && short.scores.allSatisfy { $0.total == 0 })
        #expect(picker.heldEntries("c") == 0)
        // The same prompt again and again: what is held stays bounded (refreshed entries compacted).
        for _ in 0..<2000 { _ = picker.pick(Self.candidates, prompt: shared, random: { _ in 1 }) }
        #expect(picker.heldEntries("b") <= 4 + 2 * 4 + 64 + 3, "\(picker.heldEntries("b"))")
        // Replicas that are gone are forgotten.
        picker.keep(only: ["a", "c"])
        #expect(picker.heldEntries("b") == 0)
    }

    @Test("no-hit-lru: cold requests rotate through the least recently used endpoints; warm ones score 0.5 everywhere")
    func noHitLRU() {
        let picker = EndpointPicker(
            pool: "p", config: .init(scorers: [.init(scorer: .prefixCache, weight: 3), .init(scorer: .noHitLRU, weight: 2)]))
        var order: [String] = []
        for i in 0..<3 { order.append(picker.pick(Self.candidates, prompt: Self.prompt("cold \(i) ", blocks: 1)).name) }
        #expect(order == ["a", "b", "c"])
        // Warm: the endpoint holding the prefix wins, no-hit-lru adds 0.5 for all.
        let warm = picker.pick(Self.candidates, prompt: Self.prompt("cold 1 ", blocks: 1))
        #expect(warm.name == "b")
        #expect(warm.scores.allSatisfy { $0.scores.contains { $0.0 == .noHitLRU && $0.1 == 0.5 } })
    }

    @Test("the EPP config: scorers by profile reference with their weights; plugins isvc does not run are named")
    func config() {
        let text = """
            apiVersion: llm-d.ai/v1alpha1
            kind: EndpointPickerConfig
            plugins:
            - type: single-profile-handler
            - name: q
              type: queue-scorer
            - type: prefix-cache-scorer
            - type: approx-prefix-cache-producer
              parameters: {blockSizeTokens: 128}
            - type: lora-affinity-scorer
            - type: max-score-picker
            schedulingProfiles:
            - name: default
              plugins:
              - pluginRef: q
                weight: 1.5
              - pluginRef: prefix-cache-scorer
                weight: 3
              - pluginRef: lora-affinity-scorer
              - pluginRef: max-score-picker
            """
        let config = EndpointPickerConfig(schedulerArgs: ["--pool-name", "p", "--config-text", text])
        #expect(config.scorers == [.init(scorer: .queue, weight: 1.5), .init(scorer: .prefixCache, weight: 3)])
        #expect(config.blockSizeTokens == 128)
        #expect(config.unsupported == ["plugin lora-affinity-scorer (lora-affinity-scorer) is not run by isvc's picker"])
        #expect(EndpointPickerConfig(schedulerArgs: []) == .upstreamDefault)
    }

    @Test("replica metrics: vLLM's gauges from a Prometheus exposition")
    func metrics() {
        let text = """
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="opt"} 3.0
            vllm:num_requests_running{engine="0",model_name="opt"} 2.0
            vllm:kv_cache_usage_perc{engine="0",model_name="opt"} 0.25
            """
        #expect(ReplicaMetrics(prometheus: text) == ReplicaMetrics(waiting: 3, running: 2, kvCacheUsage: 0.25))
        #expect(ReplicaMetrics(prometheus: "up 1\n") == nil)
    }
}
