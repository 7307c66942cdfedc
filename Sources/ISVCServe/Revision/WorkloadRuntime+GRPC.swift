extension WorkloadRuntime {
    /// A native replica's gRPC server on a loopback port of its own (KServe's model servers open
    /// gRPC beside REST): the gateway sends it the calls that reach the replica over an HTTP/2 cluster.
    static func startGRPC(_ models: [any InferenceModel], limits: ProtocolServer.Limits) async throws -> (GRPCInferenceServer, Int) {
        let server = GRPCInferenceServer(models: models, port: 0, limits: limits)
        let running = Task { try await server.run() }
        do {
            return (server, try await server.port)
        } catch {
            server.shutdown()
            running.cancel()
            throw Failure.unavailable("the native runtime's gRPC server did not start: \(error)")
        }
    }
}
