import Foundation
import HTTPTypes
import ISVCCore
import LoopbackSupport
import NIOCore
import Testing

@testable import ISVCServe

/// gRPC through `isvc serve`'s gateway and through a real Envoy loaded with `isvc compile --emit
/// envoy`, to the same replicas: two h2c revisions of KServe's Python model server (its gRPC port the
/// revision's port), a 20 % canary between them. Compared: gRPC statuses and messages (the replica's
/// and the gateways' own), which revision answered, and the canary's share.
@Suite("Differential: gRPC through isvc serve and a real Envoy", .serialized)
struct DifferentialGRPCTests {
    static let enabled = Differential.runs && KServeClientTests.runs

    static func isvc(factor: Int, canary: Int?, callCostMs: Int = 0) -> String {
        let script = ServeLiveTests.root.appendingPathComponent("scripts/kserve-doubler.py").path
        return """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: grpc-diff
              annotations:
                serving.kserve.io/enable-tag-routing: "true"
            spec:
              predictor:
                minReplicas: 1\(canary.map { "\n    canaryTrafficPercent: \($0)" } ?? "")
                containers:
                  - name: kserve-container
                    image: local/kserve-doubler
                    command: [\(KServeClientTests.python), \(script)]
                    args: [--model_name, doubler, --factor, "\(factor)", --call-cost-ms, "\(callCostMs)", --http_port, "8080", --grpc_port, "8081"]
                    ports: [{name: h2c, containerPort: 8081, protocol: TCP}]
            """
    }

    /// ModelInferRequest{model_name: "doubler", inputs: [{name: "input-0", datatype: "FP32", shape: [1, 2],
    /// contents: {fp32_contents: [1.5, 2.5]}}]}, hand-encoded.
    static let inferRequest: [UInt8] = {
        func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
        let floats = [Float(1.5), 2.5].flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian, Array.init) }
        let tensor = field(1, Array("input-0".utf8)) + field(2, Array("FP32".utf8)) + field(3, [1, 2]) + field(5, field(6, floats))
        return field(1, Array("doubler".utf8)) + field(5, tensor)
    }()

    /// The factor of the revision that answered ModelInfer: the answer holds 1.5·f and 2.5·f as floats.
    static func factor(_ answer: H2CClient.Answer) -> Int? {
        let body = Array(answer.body.readableBytesView)
        return [2, 3].first { f in
            let expected = [Float(1.5 * Double(f)), Float(2.5 * Double(f))].flatMap {
                withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init)
            }
            return body.count >= expected.count
                && (0...(body.count - expected.count)).contains { Array(body[$0..<$0 + expected.count]) == expected }
        }
    }

    @Test(
        "statuses, messages, answering revision and canary share agree with Envoy",
        .enabled(if: enabled, Differential.skipReason), .timeLimit(.minutes(15)))
    func canary() async throws {
        let revisions = [
            "grpc-diff-predictor-00001.default.svc.cluster.local": 1, "grpc-diff-predictor-00002.default.svc.cluster.local": 1,
        ]
        try await Differential.withBoth(Self.isvc(factor: 3, canary: 20), previous: Self.isvc(factor: 2, canary: nil), replicas: revisions)
        {
            g, _ in
            let client = H2CClient(maxBodyBytes: 1 << 20)
            defer { client.shutdown() }
            let host = "grpc-diff.default.example.com"
            func both(
                _ authority: String, _ method: String, _ message: [UInt8]
            ) async throws -> (serve: H2CClient.Answer, envoy: H2CClient.Answer) {
                (
                    try await GRPCGatewayTests.call(client, port: g.serve, authority: authority, method: method, message: message),
                    try await GRPCGatewayTests.call(client, port: g.envoy, authority: authority, method: method, message: message)
                )
            }
            let cases: [(String, String, [UInt8], String)] = [
                (host, "ServerLive", [], "0"),
                (host, "ModelReady", GRPCGatewayTests.nameMessage("nope"), "5"),
                (host, "NoSuchMethod", [], "12"),
                ("nobody.example.com", "ServerLive", [], "12"),
                ("latest-grpc-diff-predictor.default.example.com", "ModelInfer", Self.inferRequest, "0"),
                ("prev-grpc-diff-predictor.default.example.com", "ModelInfer", Self.inferRequest, "0"),
            ]
            for (authority, method, message, expected) in cases {
                let r = try await both(authority, method, message)
                let s = GRPCGatewayTests.status(r.serve), e = GRPCGatewayTests.status(r.envoy)
                #expect(
                    r.serve.head.status == r.envoy.head.status,
                    "\(authority) \(method): HTTP \(r.serve.head.status) vs \(r.envoy.head.status)")
                #expect(s.code == expected && e.code == expected, "\(authority) \(method): serve \(s), Envoy \(e)")
                #expect(s.message == e.message, "\(authority) \(method): serve \(s), Envoy \(e)")
                #expect(Self.factor(r.serve) == Self.factor(r.envoy), "\(authority) \(method): different revisions answered")
            }
            let latest = try await both("latest-grpc-diff-predictor.default.example.com", "ModelInfer", Self.inferRequest)
            #expect(Self.factor(latest.serve) == 3 && Self.factor(latest.envoy) == 3)
            // Binomial(200, 0.2): mean 40, sd 5.7; 4 sd either side, for each gateway.
            for (name, port) in [("serve", g.serve), ("Envoy", g.envoy)] {
                var counts: [Int: Int] = [:]
                for _ in 0..<200 {
                    let answer = try await GRPCGatewayTests.call(
                        client, port: port, authority: host, method: "ModelInfer", message: Self.inferRequest)
                    counts[Self.factor(answer) ?? 0, default: 0] += 1
                }
                #expect(Set(counts.keys).isSubset(of: [2, 3]), "\(name): \(counts)")
                #expect((17...63).contains(counts[3] ?? 0), "\(name): canary share out of bounds: \(counts)")
            }
        }
    }

    @Test(
        "a gRPC deadline shorter than the replica's answer: both gateways time out as Envoy's finalTimeout says",
        .enabled(if: enabled, Differential.skipReason), .timeLimit(.minutes(15)))
    func deadline() async throws {
        let revision = "grpc-diff-predictor-00001.default.svc.cluster.local"
        try await Differential.withBoth(Self.isvc(factor: 2, canary: nil, callCostMs: 1500), replicas: [revision: 1]) { g, _ in
            let client = H2CClient(maxBodyBytes: 1 << 20)
            defer { client.shutdown() }
            for (name, port) in [("serve", g.serve), ("Envoy", g.envoy)] {
                let started = ContinuousClock.now
                let answer = try await GRPCGatewayTests.call(
                    client, port: port, authority: "grpc-diff.default.example.com", method: "ModelInfer", message: Self.inferRequest,
                    deadline: "300m")
                let status = GRPCGatewayTests.status(answer)
                #expect(status.code == "14" && status.message == "upstream request timeout", "\(name): \(status)")
                #expect(ContinuousClock.now - started < .seconds(1.2), "\(name) waited for the replica")
                // Without a deadline the call waits for the replica (Istio's routes have no timeout).
                let patient = try await GRPCGatewayTests.call(
                    client, port: port, authority: "grpc-diff.default.example.com", method: "ModelInfer", message: Self.inferRequest)
                #expect(GRPCGatewayTests.status(patient).code == "0", "\(name)")
            }
        }
    }
}
