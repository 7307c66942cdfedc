import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTLS
import ISVCCore
import Logging
import LoopbackSupport
import NIOCore
import ServiceLifecycle
import Testing

@testable import ISVCServe

/// The gateway's TLS listener from a Gateway server with `tls.mode: SIMPLE`, with a certificate made
/// at test time by the `openssl` command and a client that verifies it against the test CA.
@Suite("Security: TLS listener", .serialized)
struct SecurityTLSTests {

    static let gateway = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: models-tls
          namespace: istio-system
        spec:
          selector:
            istio: ingressgateway
          servers:
            - port: {number: 443, name: https, protocol: HTTPS}
              hosts: ["*.example.com"]
              tls:
                mode: SIMPLE
                credentialName: models-cert
        """

    /// A CA and a server certificate for 127.0.0.1 and localhost, in a fresh directory.
    static func certificates() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(to: dir.appendingPathComponent("san.ext"))
        for args in [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                "/CN=isvc test CA",
            ],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                "-days", "2", "-extfile", "san.ext",
            ],
        ] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try #require(TestTools.openssl, "openssl is \(TestTools.missing)"))
            p.arguments = args
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            try #require(p.terminationStatus == 0, "openssl \(args.joined(separator: " "))")
        }
        return dir
    }

    @Test("Gateway TLS servers: SIMPLE without files is an error at start; files without a SIMPLE server serve TLS with a note")
    func resolve() throws {
        let istio: [Value] = [
            [
                "kind": "Gateway", "metadata": ["name": "models-tls", "namespace": "istio-system"],
                "spec": [
                    "servers": [
                        [
                            "port": ["number": 443, "name": "https", "protocol": "HTTPS"],
                            "hosts": ["*"], "tls": ["mode": "SIMPLE"],
                        ],
                        [
                            "port": ["number": 8443, "name": "mtls", "protocol": "HTTPS"],
                            "hosts": ["*"], "tls": ["mode": "MUTUAL"],
                        ],
                    ]
                ],
            ]
        ]
        #expect(throws: SecurityConfigError.tlsFilesMissing(gateway: "istio-system/models-tls", server: "https")) {
            try GatewayTLS.resolve(istio: istio, certificateChain: nil, privateKey: nil)
        }
        #expect(throws: SecurityConfigError.tlsHalfGiven) { try GatewayTLS.resolve(istio: [], certificateChain: "c.pem", privateKey: nil) }
        do {
            _ = try GatewayTLS.resolve(istio: [], certificateChain: "no-such.pem", privateKey: "no-such.key")
            Issue.record("a missing certificate file was accepted")
        } catch {
            guard case .unreadableTLSFile(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == "no-such.pem")
        }
        let notes = try? GatewayTLS.resolve(istio: istio, certificateChain: nil, privateKey: nil)
        #expect(notes == nil)
        let none = try GatewayTLS.resolve(istio: [], certificateChain: nil, privateKey: nil)
        #expect(none.configuration == nil && none.notes.isEmpty)
    }

    @Test(
        "Requests over TLS are routed and checked as on the plain listener; plain HTTP on the TLS port gets no answer",
        .enabled(if: TestTools.runs(with: TestTools.openssl), "needs the openssl command to make a test certificate"),
        .timeLimit(.minutes(15)))
    func tlsListener() async throws {
        let certs = try Self.certificates()
        defer { try? FileManager.default.removeItem(at: certs) }
        let dir = try SecurityLiveTests.modelDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = CountingModel(name: "sklearn-iris")
        let yaml = try SecurityLiveTests.yaml(modelDirectory: dir, extra: [Self.gateway])
        let d = Diagnostics()
        let result = Compiler.compile([.init(path: "t.yaml", text: yaml)], options: Compiler.Options(), diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        let tls = try GatewayTLS.resolve(
            istio: result.inputs.istio, certificateChain: certs.appendingPathComponent("server.pem").path,
            privateKey: certs.appendingPathComponent("server.key").path)
        #expect(tls.notes.isEmpty)
        let config = try #require(tls.configuration)
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certs.appendingPathComponent("ca.pem").path))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: clientTLS))
        // Default trust roots; a failed handshake fails the request at once instead of being retried.
        var once = HTTPClient.Configuration()
        once.connectionPool.retryConnectionEstablishment = false
        let untrusted = HTTPClient(eventLoopGroupProvider: .singleton, configuration: once)

        try await LoopbackLock.run {
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-serve-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: work) }
            var listeners = ServeRun.Listeners()
            listeners.tls = config
            let run = try await ServeRun.start(
                result, workDirectory: work, native: { _, _ in [model] }, listeners: listeners,
                logger: Logger(label: "test"))
            let bound = try #require(run.bound.tlsPort)
            let tokens = try SecurityFixtures.tokens()
            let tlsPort = bound
            let url = "https://127.0.0.1:\(tlsPort)\(SecurityLiveTests.path)"
            do {
                let ok = try await SecurityLiveTests.post(url, token: tokens["alice"], client: client)
                #expect(ok.status == 200, "\(ok.body)")
                // AsyncHTTPClient offers h2 and http/1.1 by ALPN; the gateway takes h2, as Envoy does.
                #expect(ok.version == .http2)
                let forged = try await SecurityLiveTests.post(url, token: tokens["forged"], client: client)
                #expect(forged.status == 401)
                #expect(
                    forged.challenge
                        == "Bearer realm=\"https://\(SecurityLiveTests.host)\(SecurityLiveTests.path)\", error=\"invalid_token\"")
                // Verification stays on: a client that does not trust the test CA fails the handshake.
                await #expect(throws: (any Error).self) {
                    _ = try await SecurityLiveTests.post(url, token: tokens["alice"], client: untrusted)
                }
                // Plain HTTP on the TLS port gets no HTTP answer (the handshake fails or nothing comes back).
                var plain = HTTPClientRequest(url: "http://127.0.0.1:\(tlsPort)\(SecurityLiveTests.path)")
                plain.headers.add(name: "Host", value: SecurityLiveTests.host)
                await #expect(throws: (any Error).self) { _ = try await untrusted.execute(plain, timeout: .seconds(3)) }
                #expect(model.predictions == 1)
            } catch {
                Issue.record("\(error)")
            }
            await run.stop()
        }
        try await client.shutdown()
        try await untrusted.shutdown()
    }
}
