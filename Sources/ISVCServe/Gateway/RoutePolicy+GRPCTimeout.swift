extension RoutePolicy {
    /// The route's timeout for this request, in seconds (nil: none). Envoy's `finalTimeout`
    /// (`router.cc`): a gRPC request on a route with `max_grpc_timeout` takes its own deadline, the
    /// `grpc-timeout` header (absent: no deadline), capped by `max_grpc_timeout` unless that is 0.
    /// With Istio's defaults (both 0s) a gRPC call's deadline becomes the route timeout.
    public func timeout(for request: GatewayRouter.Request) -> Double? {
        guard let cap = maxGrpcTimeout, GRPCLocalReply.isGRPC(contentType: request.header("content-type")) else { return timeout }
        var deadline = Self.grpcTimeout(request.header("grpc-timeout")) ?? 0
        if cap > 0 && (deadline == 0 || deadline > cap) { deadline = cap }
        return deadline > 0 ? deadline : nil
    }

    /// A `grpc-timeout` value in seconds: at most 8 digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`);
    /// nil when absent or malformed (Envoy then ignores it).
    static func grpcTimeout(_ value: String?) -> Double? {
        guard let value, let unit = value.last, value.count >= 2, value.count <= 9 else { return nil }
        let digits = value.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Double(digits) else { return nil }
        switch unit {
        case "H": return n * 3600
        case "M": return n * 60
        case "S": return n
        case "m": return n / 1e3
        case "u": return n / 1e6
        case "n": return n / 1e9
        default: return nil
        }
    }
}
