import Foundation
import Testing

@testable import ISVCCore
@testable import ISVCServe

/// AuthorizationPolicies as the RBAC filters compile emits them, judged by serve: DENY before ALLOW,
/// Istio's path and host wildcards, methods, request principals, header conditions.
@Suite("Security: RBAC policies")
struct SecurityPolicyTests {
    static func security() throws -> GatewaySecurity {
        let jwks = try SecurityFixtures.text("fixtures/support/jwks.json").split(separator: "\n").joined()
        return SecurityFixtures.security([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication("issuer: \(SecurityFixtures.issuer)\njwks: '\(jwks)'\nforwardOriginalToken: true"),
            SecurityFixtures.authorizationPolicy(
                "deny-admin",
                """
                action: DENY
                rules:
                  - to:
                      - operation:
                          paths: ["/admin*", "/v1/admin*", "*.secret", "/exact"]
                """),
            SecurityFixtures.authorizationPolicy(
                "allow-some",
                """
                action: ALLOW
                rules:
                  - from:
                      - source:
                          requestPrincipals: ["\(SecurityFixtures.issuer)/alice"]
                    to:
                      - operation:
                          methods: [POST]
                          paths: ["/v1/*"]
                  - to:
                      - operation:
                          hosts: ["*.example.com"]
                          methods: [GET]
                    when:
                      - key: request.headers[x-team]
                        values: ["blue"]
                  - from:
                      - source:
                          notRequestPrincipals: ["*"]
                    to:
                      - operation:
                          paths: ["/public*"]
                """),
        ])
    }

    @Test("DENY policies first, then ALLOW rules: principals, methods, paths, hosts, header conditions")
    func policies() async throws {
        let security = try Self.security()
        let t = try SecurityFixtures.tokens()
        func status(
            _ path: String, _ method: String = "POST", host: String = "sklearn-iris.default.example.com",
            token: String? = nil, headers: [(String, String)] = []
        ) async -> Int {
            await security.check(SecurityFixtures.request(path, method: method, host: host, token: token, headers: headers), listener: 8080)
                .status
        }
        #expect(await status("/v1/models/sklearn-iris:predict", token: t["alice"]) == 200)
        #expect(await status("/v1/models/sklearn-iris:predict", token: t["mallory"]) == 403)
        #expect(await status("/v1/models/sklearn-iris:predict") == 403)
        #expect(await status("/v1/models/sklearn-iris", "GET", token: t["alice"]) == 403, "method not allowed for alice")
        // DENY wins over a matching ALLOW rule; Istio's prefix*, *suffix and exact paths.
        #expect(await status("/v1/admin/reset", token: t["alice"]) == 403)
        #expect(await status("/admin", "GET", headers: [("x-team", "blue")]) == 403)
        #expect(await status("/files/a.secret", "GET", headers: [("x-team", "blue")]) == 403)
        #expect(await status("/exact", "GET", headers: [("x-team", "blue")]) == 403)
        #expect(await status("/exact/more", "GET", headers: [("x-team", "blue")]) == 200)
        // Dot segments are resolved before matching, as the gateway's normalize_path does.
        #expect(await status("/v1/models/../admin/x", token: t["alice"]) == 403)
        // Query strings are not part of url_path.
        #expect(await status("/exact?x=1", "GET", headers: [("x-team", "blue")]) == 403)
        // hosts with a wildcard, and a request.headers condition.
        #expect(await status("/anything", "GET", headers: [("x-team", "blue")]) == 200)
        #expect(
            await status("/anything", "GET", host: "sklearn-iris.default.example.com:8080", headers: [("x-team", "blue")]) == 403,
            "Envoy's :authority keeps the port; *.example.com does not match it")
        #expect(await status("/anything", "GET", headers: [("x-team", "red")]) == 403)
        #expect(await status("/anything", "GET") == 403)
        #expect(await status("/anything", "GET", host: "models.example.org", headers: [("x-team", "blue")]) == 403)
        // notRequestPrincipals ["*"]: only requests without a verified token.
        #expect(await status("/public/doc", "GET") == 200)
        #expect(await status("/public/doc", "GET", token: t["alice"]) == 403)
    }

    @Test("A policy without rules: ALLOW allows nothing, DENY denies nothing; no policy allows all")
    func emptyPolicies() async {
        let allowNothing = SecurityFixtures.security([
            SecurityFixtures.isvc, SecurityFixtures.authorizationPolicy("nothing", "action: ALLOW"),
        ])
        #expect(await allowNothing.check(SecurityFixtures.request(), listener: 8080).status == 403)
        let denyNothing = SecurityFixtures.security([SecurityFixtures.isvc, SecurityFixtures.authorizationPolicy("none", "action: DENY")])
        #expect(await denyNothing.check(SecurityFixtures.request(), listener: 8080).status == 200)
        let none = SecurityFixtures.security([SecurityFixtures.isvc])
        #expect(none.isEmpty)
        #expect(await none.check(SecurityFixtures.request(), listener: 8080).status == 200)
    }

    @Test("Matcher units: Envoy string matchers, repeated headers joined, metadata lists; a node isvc does not hold is refused")
    func matchers() throws {
        #expect(StringMatcher(Envoy.StringMatcher.prefix("/a")).matches("/ab"))
        #expect(!StringMatcher(Envoy.StringMatcher.suffix(".x")).matches("/a.y"))
        #expect(StringMatcher(Envoy.StringMatcher(.exact("GET"), ignoreCase: true)).matches("get"))
        #expect(StringMatcher(Envoy.StringMatcher.safeRegex(".+")).matches("x"))
        #expect(!StringMatcher(Envoy.StringMatcher.safeRegex("(")).matches("("), "a bad regex matches nothing")
        let request = SecurityRequest(host: "h", path: "/p", method: "GET", headers: [("X-A", "1"), ("x-a", "2")])
        #expect(
            RBACMatcher(permission: .header(Envoy.HeaderMatcher(name: "x-a", .stringMatch(.exact("1,2"))))).matches(request, payloads: [:]))
        #expect(RBACMatcher(permission: .header(Envoy.HeaderMatcher(name: "x-b", .present(true)))).matches(request, payloads: [:]) == false)
        let groups: Value = [
            "metadata": [
                "filter": "envoy.filters.http.jwt_authn", "path": [["key": "jwt_payload_0"], ["key": "groups"]],
                "value": ["list_match": ["one_of": ["string_match": ["exact": "ops"]]]],
            ]
        ]
        let principal = try EnvoyReader.read(groups, path: "principal", Envoy.Principal.init)
        #expect(RBACMatcher(principal: principal).matches(request, payloads: ["jwt_payload_0": ["groups": ["dev", "ops"]]]))
        #expect(!RBACMatcher(principal: principal).matches(request, payloads: [:]))
        #expect(
            throws: EnvoyDecodingError(
                path: "principal.source_ip",
                reason: "isvc does not represent this field; one of any, and_ids, or_ids, not_id, header, url_path, metadata is needed here"
            )
        ) {
            try EnvoyReader.read(["source_ip": [:]], path: "principal", Envoy.Principal.init)
        }
        #expect(SecurityRequest(host: "h", path: "/a/./b/../c?q=/..", method: "GET", headers: []).normalizedPath == "/a/c")
    }
}
