import GRPCCore

/// A `ProtocolError` as KServe's Python server answers it over gRPC (its
/// `ExceptionToStatusInterceptor`, reference grpc-agent-graph.md A2): the same message as the
/// REST `{"error": ...}` body, with the status code of the exception KServe raises there.
extension ProtocolError: RPCErrorConvertible {
    public var rpcErrorCode: RPCError.Code {
        switch self {
        // InvalidInput, and InferenceError: a model's failure (REST 500) is INVALID_ARGUMENT over gRPC.
        case .badRequest, .internalError: .invalidArgument
        // ModelNotFound: "Model with name X does not exist."
        case .unknownModel: .notFound
        // ModelNotReady: the code KServe means to send (its exception has no `.reason`, so the
        // Python server actually answers UNKNOWN).
        case .notReady: .unavailable
        // NotImplementedError: likewise meant as UNIMPLEMENTED.
        case .notImplemented: .unimplemented
        // isvc's own limit (REST 413); gRPC's code for a request past a server's limits.
        case .tooLarge: .resourceExhausted
        }
    }

    public var rpcErrorMessage: String { message }
}
