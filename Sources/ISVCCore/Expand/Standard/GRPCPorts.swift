/// How KServe's Standard-mode reconcilers tell a gRPC port from a REST one.
enum GRPCPorts {
    /// The raw Service builder: a port name containing `grpc` or `h2c` is HTTP/2 (`appProtocol:
    /// kubernetes.io/h2c`).
    static func isGRPC(name: String) -> Bool { name.contains("grpc") || name.contains("h2c") }

    /// `detectServiceProtocolPorts` (httproute_reconciler.go): the first port with appProtocol
    /// `kubernetes.io/h2c` or whose lowercased name contains `grpc`/`h2c` is the gRPC port, the first
    /// other port the REST one. Both set: the HTTPRoute sends gRPC and REST to different ports.
    static func restAndGRPC(_ servicePorts: [Value]) -> (rest: Int, grpc: Int)? {
        var rest: Int?
        var grpc: Int?
        for p in servicePorts {
            let name = (p["name"]?.string ?? "").lowercased()
            if p["appProtocol"]?.string == "kubernetes.io/h2c" || name.contains("grpc") || name.contains("h2c") {
                grpc = grpc ?? p["port"]?.int
            } else {
                rest = rest ?? p["port"]?.int
            }
        }
        guard let rest, let grpc, rest != 0, grpc != 0 else { return nil }
        return (rest, grpc)
    }

    /// The gRPC rule's match: the Open Inference Protocol's gRPC service path and a gRPC content type.
    static let routeMatch: Value = [
        "path": ["type": "RegularExpression", "value": "^/inference\\.GRPCInferenceService/.*$"],
        "headers": [["type": "RegularExpression", "name": "content-type", "value": "^application/grpc.*"]],
    ]
}
