import ISVCCore

/// Standard mode's Kubernetes Services by their cluster host: a request for
/// `<service>.<namespace>[.svc[.cluster.local]]` that no gateway route serves reaches that Service's
/// pods directly, as an in-cluster client's request does through its sidecar (an InferenceGraph's
/// router in Standard mode and its steps, a component with `disableIngressCreation`).
/// No Envoy route is involved: no retries, timeouts or header changes but the queue's.
extension GatewayServer {
    static func directDecision(
        host: String, path: String, method: String, headers: [(name: String, value: String)], plan: ServePlan
    ) -> GatewayRouter.Decision? {
        let bare = host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
        let parts = bare.split(separator: ".").map(String.init)
        guard parts.count >= 2 else { return nil }
        let suffix = parts.dropFirst(2).joined(separator: ".")
        guard ["", "svc", "svc.cluster.local"].contains(suffix) else { return nil }
        let serviceHost = "\(parts[0]).\(parts[1]).svc.cluster.local"
        guard let workload = plan.workloads[serviceHost], workload.strategy != nil else { return nil }
        let request = GatewayRouter.Request(host: host, path: path, method: method, headers: headers)
        let cluster = "outbound|80||\(serviceHost)"
        let route = Envoy.Route(match: .init(.prefix("/")), route: .init(destination: .cluster(cluster)))
        let hop = GatewayRouter.Hop(
            listenerPort: 0, cluster: cluster, route: route, request: request, policy: RoutePolicy(route: route))
        return GatewayRouter.Decision(
            clusterHost: serviceHost, request: request, timeoutSeconds: nil,
            trace: ["direct to Service \(serviceHost) (as an in-cluster client)"], hops: [hop])
    }
}
