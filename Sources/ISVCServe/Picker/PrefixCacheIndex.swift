/// The approximate prefix cache the picker keeps per endpoint, as llm-d's
/// `approx-prefix-cache-producer` does: the prompt cut into blocks of `blockSizeTokens` tokens
/// (tokens estimated at 4 characters each), each block hashed with the hash of the blocks before it,
/// and for each endpoint the hashes of the prompts sent there (an LRU of `capacity` blocks).
struct PrefixCacheIndex: Sendable {
    static let charactersPerToken = 4

    let blockCharacters: Int
    let capacity: Int
    /// Endpoint -> block hash -> the tick it was last recorded.
    private var blocks: [String: [UInt64: UInt64]] = [:]
    /// Endpoint -> hashes in the order recorded (entries refreshed later are skipped at eviction).
    private var order: [String: [(hash: UInt64, tick: UInt64)]] = [:]
    private var heads: [String: Int] = [:]
    private var tick: UInt64 = 0

    init(blockSizeTokens: Int, capacity: Int) {
        blockCharacters = blockSizeTokens * Self.charactersPerToken
        self.capacity = capacity
    }

    /// The chained hashes of the prompt's full blocks (a partial last block is not cached).
    func hashes(_ prompt: String) -> [UInt64] {
        let bytes = Array(prompt.utf8)
        var out: [UInt64] = []
        var previous: UInt64 = 0xcbf2_9ce4_8422_2325
        var start = 0
        while start + blockCharacters <= bytes.count {
            var h = previous
            for b in bytes[start..<start + blockCharacters] {
                h = (h ^ UInt64(b)) &* 0x100_0000_01b3
            }
            out.append(h)
            previous = h
            start += blockCharacters
        }
        return out
    }

    /// How many leading blocks of `hashes` the endpoint holds.
    func matched(_ hashes: [UInt64], on endpoint: String) -> Int {
        guard let held = blocks[endpoint] else { return 0 }
        var n = 0
        for h in hashes {
            guard held[h] != nil else { break }
            n += 1
        }
        return n
    }

    /// Records that the endpoint was sent a prompt with these blocks.
    mutating func record(_ hashes: [UInt64], on endpoint: String) {
        guard !hashes.isEmpty else { return }
        for h in hashes {
            tick += 1
            blocks[endpoint, default: [:]][h] = tick
            order[endpoint, default: []].append((h, tick))
        }
        // Evict the least recently recorded beyond capacity (`heads` is where each queue starts).
        var head = heads[endpoint, default: 0]
        while (blocks[endpoint]?.count ?? 0) > capacity, head < (order[endpoint]?.count ?? 0) {
            guard let oldest = order[endpoint]?[head] else { break }
            head += 1
            if blocks[endpoint]?[oldest.hash] == oldest.tick { blocks[endpoint]?[oldest.hash] = nil }
        }
        // Entries refreshed since are dead weight: compact when they are most of the queue.
        if let queue = order[endpoint], queue.count - head > 2 * (blocks[endpoint]?.count ?? 0) + 64 || head > capacity {
            order[endpoint] = queue[head...].filter { blocks[endpoint]?[$0.hash] == $0.tick }
            head = 0
        }
        heads[endpoint] = head
    }

    /// The blocks and queue entries held for an endpoint.
    func entries(_ endpoint: String) -> Int { (blocks[endpoint]?.count ?? 0) + (order[endpoint]?.count ?? 0) }

    /// Forgets endpoints that are gone.
    mutating func keep(only endpoints: Set<String>) {
        for name in blocks.keys where !endpoints.contains(name) {
            blocks[name] = nil
            order[name] = nil
            heads[name] = nil
        }
    }
}
