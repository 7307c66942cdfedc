import Foundation

extension WorkloadRuntime {
    /// The router of an InferenceGraph workload: its steps are sent by the gateway, each bounded by
    /// the graph's `routerTimeouts.serviceClient`, else by the revision's timeout (KServe's router
    /// uses Go's default client, which has none; the queue-proxy's revision timeout ends the request).
    func makeGraphRouter(_ graph: GraphWorkload) throws -> GraphRouter {
        guard let send = graphStep else {
            throw Failure.unavailable("\(workload.name) is an InferenceGraph router, but nothing sends its steps")
        }
        let spec = try GraphSpec.decode(graphJSON: graph.json)
        let seconds = spec.routerTimeouts?.serviceClient ?? Int64(workload.timeoutSeconds)
        let timeout = Duration.seconds(max(1, seconds))
        return GraphRouter(spec: spec, propagateHeaders: graph.propagateHeaders) { call in try await send(call, timeout) }
    }
}
