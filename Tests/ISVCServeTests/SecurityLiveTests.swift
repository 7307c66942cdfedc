import AsyncHTTPClient
import Foundation
import Hummingbird
import ISVCCore
import LoopbackSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import ISVCServe

/// A model in the gateway's process that counts the predictions it makes: what reached the replica.
final class CountingModel: InferenceModel, @unchecked Sendable {
    let name: String
    private let lock = NSLock()
    private var count = 0
    init(name: String) { self.name = name }

    var predictions: Int { lock.withLock { count } }
    var ready: Bool { true }
    var inputs: [TensorMetadata] { [] }
    var outputs: [TensorMetadata] { [] }
    func predict(instances: [Any]) throws(ProtocolError) -> [Any] {
        lock.withLock { count += 1 }
        return instances
    }
    func infer(_ inputs: consuming [Tensor]) throws(ProtocolError) -> [Tensor] {
        lock.withLock { count += 1 }
        return inputs
    }
}

/// `isvc serve` end to end with the JWT fixture's RequestAuthentication and AuthorizationPolicy (and a
/// DENY policy): answers, Envoy's headers, JSON bodies, and what reaches the model.
@Suite("Security, live", .serialized)
struct SecurityLiveTests {
    static let host = "sklearn-iris.default.example.com"
    static let path = "/v1/models/sklearn-iris:predict"

    /// The fixture's security documents with an InferenceService whose model is served in process.
    static func yaml(modelDirectory: URL, extra: [String] = []) throws -> String {
        let fixture = try SecurityFixtures.text("fixtures/istio-jwt-authz.yaml")
        let security = fixture.components(separatedBy: "\n---\n").dropFirst()
        let isvc = SecurityFixtures.isvc.replacingOccurrences(
            of: "gs://kfserving-examples/models/sklearn/1.0/model", with: modelDirectory.path)
        return ([isvc] + security + extra).joined(separator: "\n---\n")
    }

    static func modelDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-security-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("model.json"))
        return dir
    }

    struct Answer {
        var status: Int
        var body: String
        var challenge: String?
        var contentType: String?
        var version: NIOHTTP1.HTTPVersion = .http1_1
    }

    static func post(_ url: String, host: String = Self.host, token: String?, client: HTTPClient = .shared) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Host", value: host)
        request.headers.add(name: "Content-Type", value: "application/json")
        // No idle keep-alive connection left for the gateway's graceful shutdown to wait for.
        request.headers.add(name: "Connection", value: "close")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: #"{"instances": [[1, 2]]}"#))
        let response = try await client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(
            status: Int(response.status.code), body: String(buffer: body),
            challenge: response.headers.first(name: "www-authenticate"), contentType: response.headers.first(name: "content-type"),
            version: response.version)
    }

    @Test(
        "Valid token 200; forged, expired, wrong issuer 401 with www-authenticate; wrong audience, missing token, wrong principal and a DENY path 403; the model sees only the valid ones",
        .timeLimit(.minutes(15)))
    func endToEnd() async throws {
        let tokens = try SecurityFixtures.tokens()
        let dir = try Self.modelDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = CountingModel(name: "sklearn-iris")
        let deny = SecurityFixtures.authorizationPolicy(
            "deny-explain",
            """
            action: DENY
            rules:
              - to:
                  - operation:
                      paths: ["*:explain"]
            """)
        try await ServeLiveTests.withRunningGateway(
            try Self.yaml(modelDirectory: dir, extra: [deny]),
            native: { _, _ in [model] }
        ) { port, _, _ in
            let url = "http://127.0.0.1:\(port)\(Self.path)"
            let ok = try await Self.post(url, token: tokens["alice"])
            #expect(ok.status == 200, "\(ok.body)")
            #expect(ok.body.contains("predictions"))
            #expect(model.predictions == 1)

            for name in ["forged", "expired", "wrong-issuer", "not-yet-valid"] {
                let denied = try await Self.post(url, token: tokens[name])
                #expect(denied.status == 401, "\(name): \(denied.body)")
                #expect(denied.challenge == "Bearer realm=\"http://\(Self.host)\(Self.path)\", error=\"invalid_token\"", "\(name)")
                #expect(denied.contentType == "application/json")
            }
            let forged = try await Self.post(url, token: tokens["forged"])
            let object = try JSONSerialization.jsonObject(with: Data(forged.body.utf8)) as? [String: String]
            #expect(object == ["error": "Jwt verification fails"])
            let expired = try await Self.post(url, token: tokens["expired"])
            #expect(expired.body.contains("Jwt is expired"))
            let garbage = try await Self.post(url, token: "not.a.jwt")
            #expect(garbage.status == 401)

            let audience = try await Self.post(url, token: tokens["wrong-audience"])
            #expect(audience.status == 403)
            #expect(audience.body.contains("Audiences in Jwt are not allowed"))
            let missing = try await Self.post(url, token: nil)
            #expect(missing.status == 403)
            #expect(missing.body.contains("RBAC: access denied"))
            #expect(missing.challenge == nil)
            #expect(try await Self.post(url, token: tokens["mallory"]).status == 403)
            let explain = try await Self.post("http://127.0.0.1:\(port)/v1/models/sklearn-iris:explain", token: tokens["alice"])
            #expect(explain.status == 403)
            // By model name on localhost, the same filters apply.
            #expect(try await Self.post(url, host: "127.0.0.1", token: tokens["forged"]).status == 401)
            #expect(try await Self.post(url, host: "127.0.0.1", token: tokens["alice"]).status == 200)

            #expect(model.predictions == 2, "no denied request reached the model")
        }
    }
}
