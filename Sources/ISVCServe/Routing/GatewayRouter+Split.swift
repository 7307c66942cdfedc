import ISVCCore

extension GatewayRouter {
    /// One revision's part of a split: its cluster, its Envoy cluster's policy, and its share.
    public struct SplitShare: Sendable {
        public var cluster: String
        public var config: ClusterPolicy
        public var revision: String
        public var percent: Int
        public init(cluster: String, config: ClusterPolicy, revision: String, percent: Int) {
            self.cluster = cluster
            self.config = config
            self.revision = revision
            self.percent = percent
        }
    }

    /// The routes as they are during a gradual rollout: every route target at `cluster` (the newest
    /// revision's) is split over `shares` by their percents, as net-istio writes a Knative Ingress
    /// whose split lists several revisions; each part carries its own revision in the
    /// `Knative-Serving-Revision` header (a header set to `revision` becomes the part's revision).
    /// A route with one cluster becomes a weighted one, its revision header moving onto the parts, as
    /// istiod writes a VirtualService route with several destinations.
    public func splitting(_ cluster: String, revision: String, into shares: [SplitShare]) -> GatewayRouter {
        let total = shares.reduce(0) { $0 + $1.percent }
        guard total > 0 else { return self }
        func parts(weight: Int, headers: [HeaderOperation]) -> [(name: String, weight: Int, headers: [HeaderOperation])] {
            shares.filter { $0.percent > 0 }.map { share in
                (
                    share.cluster, weight * share.percent,
                    headers.map { h in h.value == revision ? HeaderOperation(name: h.name, value: share.revision, action: h.action) : h }
                )
            }
        }
        var split = self
        for (port, listener) in listeners {
            var listener = listener
            for v in listener.virtualHosts.indices {
                for r in listener.virtualHosts[v].routes.indices {
                    var route = listener.virtualHosts[v].routes[r]
                    switch route.target {
                    case .cluster(let name) where name == cluster:
                        let moved = route.requestHeadersToAdd.filter { $0.value == revision }
                        route.requestHeadersToAdd.removeAll { $0.value == revision }
                        let list = parts(weight: 1, headers: moved)
                        route.target = .weighted(list, total: list.reduce(0) { $0 + $1.weight })
                    case .weighted(let clusters, _) where clusters.contains(where: { $0.name == cluster }):
                        var list: [(name: String, weight: Int, headers: [HeaderOperation])] = []
                        for c in clusters {
                            if c.name == cluster {
                                list += parts(weight: c.weight, headers: c.headers)
                            } else {
                                list.append((c.name, c.weight * total, c.headers))
                            }
                        }
                        route.target = .weighted(list, total: list.reduce(0) { $0 + $1.weight })
                    default:
                        continue
                    }
                    listener.virtualHosts[v].routes[r] = route
                }
            }
            split.listeners[port] = listener
        }
        for share in shares where split.clusters[share.cluster] == nil { split.clusters[share.cluster] = share.config }
        return split
    }
}
