/// What the picker reads from a replica's Prometheus `/metrics` (vLLM's gauge names, as llm-d's
/// metrics extractor reads them for the `vllm` engine).
public struct ReplicaMetrics: Sendable, Equatable {
    /// `vllm:num_requests_waiting`: requests queued in the engine.
    public var waiting: Double = 0
    /// `vllm:num_requests_running`.
    public var running: Double = 0
    /// `vllm:kv_cache_usage_perc` (0...1; older vLLM: `vllm:gpu_cache_usage_perc`).
    public var kvCacheUsage: Double = 0

    public init(waiting: Double = 0, running: Double = 0, kvCacheUsage: Double = 0) {
        self.waiting = waiting
        self.running = running
        self.kvCacheUsage = kvCacheUsage
    }

    /// The gauges in a Prometheus text exposition; nil when it has none of them. Several series of
    /// one gauge (one per engine or model label set) are summed, as one pod's total.
    public init?(prometheus text: String) {
        var found = false
        var kv: [Double] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            guard let valueText = line.split(separator: " ").last, let value = Double(valueText) else { continue }
            switch name {
            case "vllm:num_requests_waiting":
                waiting += value
                found = true
            case "vllm:num_requests_running":
                running += value
                found = true
            case "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc":
                kv.append(value)
                found = true
            default: continue
            }
        }
        guard found else { return nil }
        kvCacheUsage = kv.isEmpty ? 0 : kv.reduce(0, +) / Double(kv.count)
    }
}
