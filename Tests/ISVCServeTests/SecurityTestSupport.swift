import Foundation
import ISVCCore
import JWTKit
import Testing

@testable import ISVCServe

/// Shared pieces of the security tests: compiling Istio security inputs into the Envoy config serve
/// reads, the fixture tokens and JWKS (scripts/make-jwt-fixtures.py), and tokens signed at test time.
enum SecurityFixtures {
    static let root = GatewayRouterTests.root
    static let issuer = "https://issuer.example.com"

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The fixture tokens: alice, mallory, forged, expired, wrong-issuer, wrong-audience, not-yet-valid.
    static func tokens() throws -> [String: String] {
        let data = Data(try text("fixtures/support/jwt-tokens.json").utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
    }

    static let isvc = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: sklearn-iris
        spec:
          predictor:
            model:
              modelFormat:
                name: sklearn
              storageUri: gs://kfserving-examples/models/sklearn/1.0/model
        """

    /// A RequestAuthentication on the ingress gateway with one jwtRule (YAML lines under `- `).
    static func requestAuthentication(_ rule: String) -> String {
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: gateway-jwt
          namespace: istio-system
        spec:
          jwtRules:
            - \(rule.split(separator: "\n").joined(separator: "\n      "))
        """
    }

    /// An AuthorizationPolicy on the ingress gateway (`spec` given as YAML lines).
    static func authorizationPolicy(_ name: String, _ spec: String) -> String {
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: \(name)
          namespace: istio-system
        spec:
          \(spec.split(separator: "\n").joined(separator: "\n  "))
        """
    }

    /// The Envoy config `isvc compile --emit envoy` prints for the documents.
    static func envoy(_ documents: [String]) -> Envoy.Bootstrap {
        let d = Diagnostics()
        let result = Compiler.compile(
            [.init(path: "t.yaml", text: documents.joined(separator: "\n---\n"))],
            options: Compiler.Options(), diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        return Compiler.envoyBootstrap(result, options: EnvoyOptions())
    }

    static func security(_ documents: [String]) -> GatewaySecurity {
        GatewaySecurity(bootstrap: envoy(documents))
    }

    static func request(
        _ path: String = "/v1/models/sklearn-iris:predict", method: String = "POST",
        host: String = "sklearn-iris.default.example.com", token: String? = nil,
        headers: [(String, String)] = []
    ) -> SecurityRequest {
        var all = headers.map { (name: $0.0, value: $0.1) }
        if let token { all.append((name: "Authorization", value: "Bearer \(token)")) }
        return SecurityRequest(host: host, path: path, method: method, headers: all)
    }
}

/// An ES256 key made at test time, its JWKS, and tokens it signs with any claims.
struct TestSigner {
    struct Claims: JWTPayload {
        var iss: String?
        var sub: String?
        var aud: String?
        var exp: Int?
        var nbf: Int?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    let key = ES256PrivateKey()
    let kid: String

    init(kid: String = "test-es256") { self.kid = kid }

    var jwks: String {
        let p = key.parameters!
        return #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"\#(kid)","x":"\#(p.x)","y":"\#(p.y)"}]}"#
    }

    func token(
        iss: String? = SecurityFixtures.issuer, sub: String? = "alice", aud: String? = "models",
        exp: Int? = Int(Date().timeIntervalSince1970) + 3600, nbf: Int? = nil
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(Claims(iss: iss, sub: sub, aud: aud, exp: exp, nbf: nbf), kid: JWKIdentifier(string: kid))
    }
}

extension GatewaySecurity.Verdict {
    var status: Int {
        switch self {
        case .allowed: 200
        case .denied(let status, _, _): status
        }
    }

    var message: String? {
        if case .denied(_, let message, _) = self { return message }
        return nil
    }

    var challenge: String? {
        if case .denied(_, _, let challenge) = self { return challenge }
        return nil
    }
}
