import Foundation
import HTTPTypes
import ISVCCore
import LoopbackSupport
import NIOCore
import Testing

@testable import ISVCServe

/// HTTP/2 and gRPC through the gateway: h2c (prior knowledge) beside HTTP/1.1 on the listener,
/// Envoy's gRPC local replies, and gRPC calls proxied over h2c to a replica behind an HTTP/2 cluster
/// (an h2c revision of KServe's Python model server, its gRPC port the revision's port).
@Suite("gRPC and HTTP/2 through the gateway")
struct GRPCGatewayTests {
    /// A gRPC message frame: not compressed, 4-byte big-endian length, the protobuf bytes.
    static func frame(_ message: [UInt8]) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(UInt8(0))
        b.writeInteger(UInt32(message.count))
        b.writeBytes(message)
        return b
    }

    /// A protobuf message with one length-delimited string field 1 (ModelReadyRequest.name).
    static func nameMessage(_ name: String) -> [UInt8] { [0x0A, UInt8(name.utf8.count)] + Array(name.utf8) }

    static func call(
        _ client: H2CClient, port: Int, authority: String, method: String, message: [UInt8], deadline: String? = nil
    ) async throws -> H2CClient.Answer {
        var fields = HTTPFields()
        fields[.contentType] = "application/grpc"
        fields[.te] = "trailers"
        if let deadline { fields[HTTPField.Name("grpc-timeout")!] = deadline }
        let head = HTTPRequest(
            method: .post, scheme: "http", authority: authority, path: "/inference.GRPCInferenceService/\(method)", headerFields: fields)
        return try await client.execute(port: port, head: head, body: frame(message), timeout: .seconds(30))
    }

    static func status(_ answer: H2CClient.Answer) -> (code: String?, message: String?) {
        let fields = answer.trailers ?? answer.head.headerFields
        return (fields[GRPCLocalReply.grpcStatus], fields[GRPCLocalReply.grpcMessage])
    }

    // 15 minutes, as the other tests that take the loopback lock: in a full run the wait for it is long.
    @Test("an HTTP/2 REST request and an HTTP/1.1 one on the same port get the same answer", .timeLimit(.minutes(15)))
    func restOverHTTP2() async throws {
        let yaml = KServeClientTests.doubler(image: "local/native")
        try await ServeLiveTests.withRunningGateway(yaml, native: { workload, _ in [DoublingModel(name: workload.inferenceService)] }) {
            port, _, _ in
            let client = H2CClient(maxBodyBytes: 1 << 20)
            defer { client.shutdown() }
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            let head = HTTPRequest(
                method: .post, scheme: "http", authority: "doubler.default.example.com", path: "/v1/models/doubler:predict",
                headerFields: fields)
            let answer = try await client.execute(
                port: port, head: head, body: ByteBuffer(string: #"{"instances": [[1, 2]]}"#), timeout: .seconds(30))
            #expect(answer.head.status == .ok)
            // The same request over HTTP/1.1 (off the cooperative pool: the raw client blocks).
            let http1 = await AgentLoggerTests.post(port, headers: [:])
            #expect(http1.0 == 200)
            #expect(String(buffer: answer.body) == http1.1)
        }
    }

    @Test("a gRPC call to a host no route serves is UNIMPLEMENTED with no message, as Envoy answers it", .timeLimit(.minutes(15)))
    func unknownHost() async throws {
        let yaml = KServeClientTests.doubler(image: "local/native")
        try await ServeLiveTests.withRunningGateway(yaml, native: { workload, _ in [DoublingModel(name: workload.inferenceService)] }) {
            port, _, _ in
            let client = H2CClient(maxBodyBytes: 1 << 20)
            defer { client.shutdown() }
            let answer = try await Self.call(client, port: port, authority: "nobody.example.com", method: "ServerLive", message: [])
            #expect(answer.head.status == .ok)
            #expect(answer.head.headerFields[.contentType] == "application/grpc")
            #expect(Self.status(answer).code == "12")
            #expect(Self.status(answer).message == nil)
            #expect(answer.body.readableBytes == 0)
        }
    }

    @Test(
        "gRPC calls reach KServe's Python server over h2c: answers, trailers and its error statuses pass through",
        .enabled(if: KServeClientTests.runs, KServeClientTests.missing), .timeLimit(.minutes(15)))
    func kserveOverH2C() async throws {
        let script = ServeLiveTests.root.appendingPathComponent("scripts/kserve-doubler.py").path
        let yaml = KServeClientTests.doubler(
            image: "local/kserve-doubler",
            fields: [
                "command: [\(KServeClientTests.python), \(script)]",
                #"args: [--model_name, doubler, --http_port, "8080", --grpc_port, "8081"]"#,
                "ports: [{name: h2c, containerPort: 8081, protocol: TCP}]",
            ])
        try await ServeLiveTests.withGateway(yaml) { port, _ in
            let client = H2CClient(maxBodyBytes: 1 << 20)
            defer { client.shutdown() }
            let host = "doubler.default.example.com"
            let live = try await Self.call(client, port: port, authority: host, method: "ServerLive", message: [])
            #expect(live.head.status == .ok)
            #expect(Self.status(live).code == "0")
            // ServerLiveResponse{live: true}, framed.
            #expect(Array(live.body.readableBytesView) == [0, 0, 0, 0, 2, 0x08, 0x01])
            let ready = try await Self.call(client, port: port, authority: host, method: "ModelReady", message: Self.nameMessage("doubler"))
            #expect(Array(ready.body.readableBytesView) == [0, 0, 0, 0, 2, 0x08, 0x01])
            // KServe's NOT_FOUND, sent trailers-only by the server, arrives with its message.
            let missing = try await Self.call(client, port: port, authority: host, method: "ModelReady", message: Self.nameMessage("nope"))
            #expect(Self.status(missing).code == "5")
            #expect(Self.status(missing).message == "Model with name nope does not exist.")
        }
    }
}

/// Envoy's route timeout for gRPC requests (`finalTimeout`).
@Suite("gRPC route timeouts")
struct GRPCTimeoutTests {
    static func route(timeout: String?, maxGrpc: String?) throws -> RoutePolicy {
        var action: [String: Value] = ["cluster": "c"]
        if let timeout { action["timeout"] = .string(timeout) }
        if let maxGrpc { action["max_grpc_timeout"] = .string(maxGrpc) }
        return RoutePolicy(route: try Envoy.Route(decoding: ["match": ["prefix": "/"], "route": .object(action)]))
    }

    static func request(_ headers: [(String, String)]) -> GatewayRouter.Request {
        .init(host: "h", path: "/inference.GRPCInferenceService/ModelInfer", method: "POST", headers: headers.map { ($0.0, $0.1) })
    }

    @Test("grpc-timeout values: 8 digits at most, units H M S m u n")
    func parse() {
        #expect(RoutePolicy.grpcTimeout("2S") == 2)
        #expect(RoutePolicy.grpcTimeout("1500m") == 1.5)
        #expect(RoutePolicy.grpcTimeout("1M") == 60)
        #expect(RoutePolicy.grpcTimeout("1H") == 3600)
        #expect(RoutePolicy.grpcTimeout("250000u") == 0.25)
        #expect(RoutePolicy.grpcTimeout("99999999n") == 0.099999999)
        for bad in [nil, "", "S", "123456789S", "5s", "-1S", "1.5S"] { #expect(RoutePolicy.grpcTimeout(bad) == nil) }
    }

    @Test("a gRPC call's deadline is the route timeout, capped by max_grpc_timeout unless 0; REST keeps the route's")
    func finalTimeout() throws {
        let grpc = [("content-type", "application/grpc"), ("grpc-timeout", "5S")]
        // Istio's defaults: timeout 0s, max_grpc_timeout 0s.
        #expect(try Self.route(timeout: "0s", maxGrpc: "0s").timeout(for: Self.request(grpc)) == 5)
        #expect(try Self.route(timeout: "0s", maxGrpc: "0s").timeout(for: Self.request([("content-type", "application/grpc")])) == nil)
        #expect(try Self.route(timeout: "30s", maxGrpc: "2s").timeout(for: Self.request(grpc)) == 2)
        #expect(
            try Self.route(timeout: "30s", maxGrpc: "30s").timeout(for: Self.request([("content-type", "application/grpc+proto")])) == 30)
        // No max_grpc_timeout: the route's timeout, whatever the header.
        #expect(try Self.route(timeout: "30s", maxGrpc: nil).timeout(for: Self.request(grpc)) == 30)
        #expect(try Self.route(timeout: "30s", maxGrpc: "2s").timeout(for: Self.request([("content-type", "application/json")])) == 30)
        #expect(try Self.route(timeout: "30s", maxGrpc: "2s").timeout(for: Self.request([("content-type", "application/grpc-web")])) == 30)
    }
}
