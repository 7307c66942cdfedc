/// Envoy's load balancers over a cluster's endpoints (unweighted: every replica weighs the same).
/// Which endpoints are candidates (healthy ones, or all in panic mode; not the hosts a retry already
/// tried) is the caller's choice; this picks one of them.
public struct LoadBalancer: Sendable {
    public struct Candidate: Sendable, Equatable {
        public var name: String
        /// Requests in flight to the endpoint (Envoy's `rq_active`).
        public var active: Int

        public init(name: String, active: Int) {
            self.name = name
            self.active = active
        }
    }

    public let policy: ClusterPolicy.Balancer
    public let choiceCount: Int
    private var next = 0
    private var ring: HashRing?

    public init(policy: ClusterPolicy.Balancer, choiceCount: Int = 2, randomStart: Bool = true) {
        self.policy = policy
        self.choiceCount = max(1, choiceCount)
        // Envoy seeds its round-robin index randomly so that proxies do not move in step.
        next = randomStart ? Int.random(in: 0..<1024) : 0
    }

    /// The index of the chosen candidate, nil when there is none. `hash` is the request's hash (from
    /// the route's `hash_policy`) for RING_HASH and MAGLEV; without one they pick at random, as Envoy does.
    public mutating func choose(_ candidates: [Candidate], hash: UInt64?, random: (Int) -> Int = { Int.random(in: 0..<$0) }) -> Int? {
        guard !candidates.isEmpty else { return nil }
        if candidates.count == 1 { return 0 }
        switch policy {
        case .roundRobin:
            next = (next &+ 1) & Int.max
            return next % candidates.count
        case .random:
            return random(candidates.count)
        case .leastRequest:
            // N random choices (with replacement), the one with fewest active requests; ties keep the first.
            var best = random(candidates.count)
            for _ in 1..<choiceCount {
                let sampled = random(candidates.count)
                if candidates[sampled].active < candidates[best].active { best = sampled }
            }
            return best
        case .ringHash, .maglev:
            guard let hash else { return random(candidates.count) }
            let names = candidates.map(\.name)
            if ring?.hosts != names.sorted() { ring = HashRing(hosts: names) }
            guard let host = ring?.host(for: hash) else { return random(candidates.count) }
            return names.firstIndex(of: host)
        }
    }
}

/// A consistent-hash ring (Envoy's ring hash: at least 1024 points, spread evenly over the hosts):
/// a hash lands on the first point at or after it. The same hosts give the same ring, so a key keeps
/// its host while the set of hosts is unchanged, and only keys of a removed host move.
struct HashRing: Sendable {
    let hosts: [String]
    private let points: [(hash: UInt64, host: String)]

    init(hosts: [String], minimumSize: Int = 1024) {
        self.hosts = hosts.sorted()
        let perHost = max(1, (minimumSize + max(1, hosts.count) - 1) / max(1, hosts.count))
        var points: [(UInt64, String)] = []
        points.reserveCapacity(perHost * hosts.count)
        for host in self.hosts {
            for i in 0..<perHost { points.append((Self.hash("\(host)_\(i)"), host)) }
        }
        self.points = points.sorted { $0.0 < $1.0 }
    }

    func host(for hash: UInt64) -> String? {
        guard !points.isEmpty else { return nil }
        var lo = 0, hi = points.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid].hash < hash { lo = mid + 1 } else { hi = mid }
        }
        return points[lo == points.count ? 0 : lo].host
    }

    /// 64-bit FNV-1a with a final avalanche (Envoy uses xxHash64; the mapping differs, the properties do not).
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
