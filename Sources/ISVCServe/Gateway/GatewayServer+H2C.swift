import HTTPTypes
import Hummingbird
import NIOCore

extension GatewayServer {
    /// The request over HTTP/2 to a replica behind an HTTP/2 cluster: `:authority` the route's host,
    /// connection-specific headers dropped (RFC 9113 §8.2.2; `te: trailers` kept, gRPC needs it), and
    /// the answer with its trailers.
    func forwardH2C(
        _ decision: GatewayRouter.Decision, body: ByteBuffer, method: HTTPRequest.Method, port: Int, timeout: Duration
    ) async throws -> UpstreamAnswer {
        var fields = HTTPFields()
        fields.reserveCapacity(decision.request.headers.count)
        for (name, value) in decision.request.headers {
            if Self.named(name, "te") {
                if value.lowercased() == "trailers" { fields.append(HTTPField(name: .te, value: value)) }
                continue
            }
            guard !Self.isHopByHop(name), !Self.named(name, "host"), let n = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: n, value: value))
        }
        let head = HTTPRequest(
            method: method, scheme: "http", authority: decision.request.host, path: decision.request.path, headerFields: fields)
        let answer = try await h2c.execute(port: port, head: head, body: body, timeout: timeout)
        var headers = answer.head.headerFields
        var trailers = answer.trailers
        var trailersOnlyStatus: Int?
        // A trailers-only gRPC answer (one HEADERS frame ending the stream, as for an error): serve's
        // HTTP/2 server sends headers and trailers apart, so the status moves to the trailers.
        if trailers == nil, answer.body.readableBytes == 0, headers[GRPCLocalReply.grpcStatus] != nil {
            var moved = HTTPFields()
            for name in [GRPCLocalReply.grpcStatus, GRPCLocalReply.grpcMessage, GRPCLocalReply.grpcStatusDetails] {
                if let value = headers[name] { moved[name] = value }
                headers[name] = nil
            }
            trailers = moved
            trailersOnlyStatus = moved[GRPCLocalReply.grpcStatus].flatMap { Int($0) }
        }
        return UpstreamAnswer(
            status: answer.head.status, headers: headers, body: answer.body, trailers: trailers, trailersOnlyStatus: trailersOnlyStatus)
    }
}

extension GatewayServer {
    /// A gRPC call to a native replica, answered in process when it is one plain message (the
    /// replica's gRPC server takes the rest); nil when it must go there.
    static func answerGRPC(_ server: ProtocolServer, decision: GatewayRouter.Decision, body: ByteBuffer) async -> UpstreamAnswer? {
        guard let message = GRPCInProcess.message(body) else { return nil }
        let service = GRPCInferenceService(models: Array(server.models.values), limits: server.limits)
        let reply = await GRPCInProcess.call(service, path: decision.request.path, message: message)
        var headers = HTTPFields()
        headers[.contentType] = "application/grpc"
        var trailers = HTTPFields()
        trailers[GRPCLocalReply.grpcStatus] = String(reply.status)
        if let text = reply.message, !text.isEmpty { trailers[GRPCLocalReply.grpcMessage] = GRPCLocalReply.percentEncoded(text) }
        // grpc-swift answers an error trailers-only: retry conditions see its status.
        return UpstreamAnswer(
            status: .ok, headers: headers, body: reply.body, trailers: trailers, trailersOnlyStatus: reply.status == 0 ? nil : reply.status)
    }
}
