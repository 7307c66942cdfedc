import Foundation
import ISVCCore
import Testing

@testable import ISVCServe

/// The jwt_authn filter as serve runs it from the emitted Envoy config: Envoy's checks, order, texts
/// and status codes.
@Suite("Security: JWT validation")
struct SecurityJWTTests {
    static func fixtureSecurity() throws -> GatewaySecurity {
        GatewaySecurity(bootstrap: SecurityFixtures.envoy([try SecurityFixtures.text("fixtures/istio-jwt-authz.yaml")]))
    }

    @Test("Fixture tokens: valid passes; forged, expired, wrong issuer, not yet valid get 401 with Envoy's text; wrong audience 403")
    func fixtureTokens() async throws {
        let tokens = try SecurityFixtures.tokens()
        let security = try Self.fixtureSecurity()
        func check(_ name: String) async -> GatewaySecurity.Verdict {
            await security.check(SecurityFixtures.request(token: tokens[name]), listener: 8080)
        }
        #expect(await check("alice").status == 200)
        #expect(await check("forged").message == "Jwt verification fails")
        #expect(await check("forged").status == 401)
        #expect(await check("expired").message == "Jwt is expired")
        #expect(await check("wrong-issuer").message == "Jwt issuer is not configured")
        #expect(await check("wrong-issuer").status == 401)
        #expect(await check("not-yet-valid").message == "Jwt not yet valid")
        // Envoy answers a token for another audience 403, not 401.
        #expect(await check("wrong-audience").status == 403)
        #expect(await check("wrong-audience").message == "Audiences in Jwt are not allowed")
        #expect(
            await check("forged").challenge
                == #"Bearer realm="http://sklearn-iris.default.example.com/v1/models/sklearn-iris:predict", error="invalid_token""#)
    }

    @Test("Malformed tokens and headers are clean 401s with Envoy's reasons")
    func malformed() async throws {
        let security = try Self.fixtureSecurity()
        let cases: [(String, String)] = [
            ("garbage", "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"),
            ("a.b", "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"),
            ("e30!.e30.c2ln", "Jwt header is an invalid Base64url encoded"),
            // Envoy starts the token at the first Base64url or dot character after "Bearer ".
            ("!!!.e30.c2ln", "Jwt header is an invalid JSON"),
            ("bm90IGpzb24.e30.c2ln", "Jwt header is an invalid JSON"),
            ("e30.e30.c2ln", "Jwt header [alg] field is required and must be a string"),
            ("eyJhbGciOiJub25lIn0.e30.", "Jwt header [alg] is not supported"),
            ("eyJhbGciOiJSUzI1NiJ9.W10.c2ln", "Jwt payload is an invalid JSON"),
            ("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOiJzb29uIn0.c2ln", "Jwt payload [exp] field is not an integer"),
            ("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjd9.c2ln", "Jwt payload [iss] field is not a string"),
            ("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOlsxXX0.c2ln", "Jwt payload [aud] field is not a string or string list"),
            (String(repeating: "a", count: 20_000) + "." + "b.c", "Jwt header is an invalid JSON"),
        ]
        for (token, reason) in cases {
            let verdict = await security.check(SecurityFixtures.request(token: token), listener: 8080)
            #expect(verdict.status == 401, "\(token.prefix(40))")
            #expect(verdict.message == reason, "\(token.prefix(40))")
        }
        // Not a Bearer value: no token at all, so jwt_authn passes and RBAC (principal required) denies.
        let basic = await security.check(SecurityFixtures.request(headers: [("Authorization", "Basic YWxpY2U6eA==")]), listener: 8080)
        #expect(basic.status == 403)
        #expect(basic.message == "RBAC: access denied")
    }

    @Test("exp and nbf allow Envoy's 60 s of clock skew")
    func clockSkew() async throws {
        let signer = TestSigner()
        let security = SecurityFixtures.security([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication(
                """
                issuer: \(SecurityFixtures.issuer)
                jwks: '\(signer.jwks)'
                """),
        ])
        let now = Int(Date().timeIntervalSince1970)
        func status(exp: Int? = nil, nbf: Int? = nil) async throws -> Int {
            await security.check(SecurityFixtures.request(token: try await signer.token(exp: exp, nbf: nbf)), listener: 8080).status
        }
        #expect(try await status(exp: now - 30) == 200)
        #expect(try await status(exp: now - 90) == 401)
        #expect(try await status(exp: now + 600, nbf: now + 30) == 200)
        #expect(try await status(exp: now + 600, nbf: now + 120) == 401)
        // No exp at all never expires; no audiences configured accepts any audience.
        #expect(try await status() == 200)
        // The largest exp a token can carry is far in the future, not an overflow (exp + skew trapped).
        #expect(try await status(exp: Int.max, nbf: Int.max - 1) == 401, "not yet valid")
        #expect(try await status(exp: Int.max) == 200)
        let other = TestSigner()
        let forged = await security.check(SecurityFixtures.request(token: try await other.token()), listener: 8080)
        #expect(forged.message == "Jwt verification fails")
        let otherKid = TestSigner(kid: "unknown-kid")
        let mismatch = await security.check(SecurityFixtures.request(token: try await otherKid.token()), listener: 8080)
        #expect(mismatch.message == "Jwks doesn't have key to match kid or alg from Jwt")
    }

    @Test("fromHeaders and fromParams; the default access_token parameter; a token without forwardOriginalToken is removed")
    func locations() async throws {
        let signer = TestSigner()
        let custom = SecurityFixtures.security([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication(
                """
                issuer: \(SecurityFixtures.issuer)
                jwks: '\(signer.jwks)'
                fromHeaders: [{name: x-jwt, prefix: "Token "}]
                fromParams: [jwt]
                """),
        ])
        let token = try await signer.token()
        let inHeader = await custom.check(SecurityFixtures.request(headers: [("X-Jwt", "Token \(token)")]), listener: 8080)
        guard case .allowed(let after) = inHeader else { Issue.record("header token refused: \(inHeader)"); return }
        #expect(!after.headers.contains { $0.name.lowercased() == "x-jwt" }, "not forwarded: removed")
        let inParam = await custom.check(SecurityFixtures.request("/v1/models/m:predict?jwt=\(token)&a=1"), listener: 8080)
        guard case .allowed(let stripped) = inParam else { Issue.record("param token refused"); return }
        #expect(stripped.path == "/v1/models/m:predict?a=1")
        let badParam = await custom.check(SecurityFixtures.request("/x?jwt=nope"), listener: 8080)
        #expect(badParam.status == 401)
        // Authorization is not a location of this provider: ignored.
        #expect(await custom.check(SecurityFixtures.request(token: "nope"), listener: 8080).status == 200)

        let defaults = SecurityFixtures.security([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication(
                """
                issuer: \(SecurityFixtures.issuer)
                jwks: '\(signer.jwks)'
                """),
        ])
        #expect(await defaults.check(SecurityFixtures.request("/p?access_token=bad"), listener: 8080).status == 401)
        #expect(await defaults.check(SecurityFixtures.request("/p?access_token=\(token)"), listener: 8080).status == 200)
        let missing = await defaults.check(SecurityFixtures.request(), listener: 8080)
        #expect(missing.status == 200, "a missing token passes jwt_authn (allow_missing)")
    }
}
