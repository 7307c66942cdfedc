import GRPCCore
import GRPCNIOTransportHTTP2

/// The Open Inference Protocol over gRPC (KServe's `inference.GRPCInferenceService`, the service of
/// `Protos/grpc_predict_v2.proto`) for models answered in process: the same `InferenceModel`s that
/// `ProtocolServer` answers over REST, on a port of its own, plaintext HTTP/2 (h2c) as KServe's
/// Python server listens (reference grpc-agent-graph.md A1, A2). Requests may be gzip or deflate
/// compressed.
///
/// A library component: `isvc serve` does not start it yet. `run()` serves until `shutdown()`;
/// `port` is the bound port once listening (the one the system chose when 0 was asked for).
public final class GRPCInferenceServer: Sendable {
    /// KServe's `--grpc_max_receive_message_length` default: 8 MiB. A larger request fails with
    /// `RESOURCE_EXHAUSTED` before any handler runs.
    public static let maxRequestBytes = 8 << 20

    public let host: String
    let server: GRPCServer<HTTP2ServerTransport.Posix>

    /// - Parameters:
    ///   - models: the models to answer, by name (a later model of the same name wins, as in `ProtocolServer`).
    ///   - host: an IPv4 or IPv6 address to listen on (`127.0.0.1` in tests).
    ///   - port: the port, 0 for one the system chooses.
    ///   - limits: the tensor elements one request may carry, as for REST.
    public init(models: [any InferenceModel], host: String = "127.0.0.1", port: Int, limits: ProtocolServer.Limits = .init()) {
        self.host = host
        let address: SocketAddress = host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
        let transport = HTTP2ServerTransport.Posix(
            address: address, transportSecurity: .plaintext,
            config: .defaults {
                $0.rpc.maxRequestPayloadSize = Self.maxRequestBytes
                // gzip and deflate requests, as grpcio takes them (grpc-swift takes none by default);
                // a message is decompressed within the same 8 MiB.
                $0.compression.enabledAlgorithms = .all
            })
        let service = GRPCInferenceService(models: models, limits: limits)
        self.server = GRPCServer(transport: transport, services: [service])
    }

    /// Listens and answers until `shutdown()` is called and the calls in flight have finished;
    /// throws when the address cannot be bound. Call it once.
    public func run() async throws {
        try await server.serve()
    }

    /// The port the server listens on, once it does; throws when it could not bind or has stopped.
    public var port: Int {
        get async throws {
            let address = try await server.listeningAddress
            if let port = address?.ipv4?.port ?? address?.ipv6?.port { return port }
            throw RuntimeError(code: .transportError, message: "the gRPC server listens on no IP address (\(String(describing: address)))")
        }
    }

    /// Stops accepting calls; `run()` returns once the calls in flight have been answered.
    public func shutdown() {
        server.beginGracefulShutdown()
    }
}
