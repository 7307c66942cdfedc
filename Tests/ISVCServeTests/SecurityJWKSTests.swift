import Foundation
import HTTPTypes
import Hummingbird
import ISVCCore
import Logging
import LoopbackSupport
import NIOCore
import ServiceLifecycle
import Testing

@testable import ISVCServe

/// Where a provider's keys come from: inline, a local file (`jwksUri: file:...`, Envoy's
/// `local_jwks.filename`), or a URL fetched through its cluster and cached; bad ones at start.
@Suite("Security: JWKS sources", .serialized)
struct SecurityJWKSTests {
    static var jwksPath: String { SecurityFixtures.root.appendingPathComponent("fixtures/support/jwks.json").path }

    @Test("JWKS from a local file: compile emits local_jwks.filename, serve verifies with it")
    func fromFile() async throws {
        let envoy = SecurityFixtures.envoy([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication(
                """
                issuer: \(SecurityFixtures.issuer)
                jwksUri: file://\(Self.jwksPath)
                """),
        ])
        guard case .jwtAuthn(let jwt)? = envoy.listeners.first?.httpConnectionManager.httpFilters.first else {
            Issue.record("no jwt_authn filter first")
            return
        }
        #expect(jwt.providers["origins-0"]?.jwks == .file(Self.jwksPath))
        let security = GatewaySecurity(bootstrap: envoy)
        try await security.prepare()
        let tokens = try SecurityFixtures.tokens()
        #expect(await security.check(SecurityFixtures.request(token: tokens["alice"]), listener: 8080).status == 200)
        #expect(await security.check(SecurityFixtures.request(token: tokens["forged"]), listener: 8080).message == "Jwt verification fails")
    }

    @Test("A bad inline JWKS or a missing JWKS file stops serve at start with the reason")
    func badLocalJWKS() async throws {
        let bad = SecurityFixtures.security([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication(
                """
                issuer: \(SecurityFixtures.issuer)
                jwks: '{"keys": [{"kty": "RSA", "n": "x"}]}'
                """),
        ])
        await #expect(
            throws: SecurityConfigError.badJWKS(
                provider: "origins-0", issuer: SecurityFixtures.issuer,
                reason: "Jwks doesn't have any valid public key")
        ) { try await bad.prepare() }
        // Not prepared: every token is refused with Envoy's answer, nothing crashes.
        let tokens = try SecurityFixtures.tokens()
        #expect(
            await bad.check(SecurityFixtures.request(token: tokens["alice"]), listener: 8080).message
                == "Jwks doesn't have any valid public key")
        let notJSON = SecurityFixtures.security([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication(
                """
                issuer: \(SecurityFixtures.issuer)
                jwks: 'nope'
                """),
        ])
        await #expect(
            throws: SecurityConfigError.badJWKS(
                provider: "origins-0", issuer: SecurityFixtures.issuer,
                reason: "Jwks is an invalid JSON")
        ) { try await notJSON.prepare() }
        let missing = SecurityFixtures.security([
            SecurityFixtures.isvc,
            SecurityFixtures.requestAuthentication(
                """
                issuer: \(SecurityFixtures.issuer)
                jwksUri: file:no/such/jwks.json
                """),
        ])
        await #expect(throws: SecurityConfigError.unreadableJWKS(provider: "origins-0", path: "no/such/jwks.json")) {
            try await missing.prepare()
        }
    }

    /// Counts the JWKS requests a loopback issuer answers.
    actor Counter {
        var value = 0
        func next() { value += 1 }
    }

    @Test(
        "JWKS from a URL on loopback: fetched once through the cluster, cached; an unreachable one is a failed fetch",
        .timeLimit(.minutes(15)))
    func fromURL() async throws {
        try await LoopbackLock.run {
            let jwks = try SecurityFixtures.text("fixtures/support/jwks.json")
            let fetches = Counter()
            let responder = CallbackResponder<BasicRequestContext> { request, _ in
                await fetches.next()
                guard request.uri.path == "/keys/jwks.json" else { return Response(status: .notFound) }
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: jwks)))
            }
            let bound = AsyncStream.makeStream(of: Int.self)
            let app = Application(
                responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { bound.continuation.yield($0.localAddress?.port ?? 0) },
                logger: Logger(label: "jwks"))
            let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "jwks")))
            let running = Task { try await group.run() }
            defer { running.cancel() }
            var ports = bound.stream.makeAsyncIterator()
            let port = try #require(await ports.next())

            let security = SecurityFixtures.security([
                SecurityFixtures.isvc,
                SecurityFixtures.requestAuthentication(
                    """
                    issuer: \(SecurityFixtures.issuer)
                    jwksUri: http://127.0.0.1:\(port)/keys/jwks.json
                    """),
            ])
            try await security.prepare()
            #expect(await fetches.value == 0, "remote JWKS are fetched when a token needs them")
            let tokens = try SecurityFixtures.tokens()
            #expect(await security.check(SecurityFixtures.request(token: tokens["alice"]), listener: 8080).status == 200)
            #expect(await security.check(SecurityFixtures.request(token: tokens["forged"]), listener: 8080).status == 401)
            #expect(await security.check(SecurityFixtures.request(token: tokens["mallory"]), listener: 8080).status == 200)
            #expect(await fetches.value == 1, "cached for the provider's cache_duration")

            let wrongPath = SecurityFixtures.security([
                SecurityFixtures.isvc,
                SecurityFixtures.requestAuthentication(
                    """
                    issuer: \(SecurityFixtures.issuer)
                    jwksUri: http://127.0.0.1:\(port)/nothing
                    """),
            ])
            #expect(
                await wrongPath.check(SecurityFixtures.request(token: tokens["alice"]), listener: 8080).message
                    == "Jwks remote fetch is failed")
            running.cancel()
            _ = try? await running.value

            let closed = SecurityFixtures.security([
                SecurityFixtures.isvc,
                SecurityFixtures.requestAuthentication(
                    """
                    issuer: \(SecurityFixtures.issuer)
                    jwksUri: http://127.0.0.1:\(Loopback.freePort())/keys/jwks.json
                    """),
            ])
            let verdict = await closed.check(SecurityFixtures.request(token: tokens["alice"]), listener: 8080)
            #expect(verdict.status == 401)
            #expect(verdict.message == "Jwks remote fetch is failed")
            #expect(await closed.check(SecurityFixtures.request(), listener: 8080).status == 200, "no token: no fetch needed")
        }
    }
}
