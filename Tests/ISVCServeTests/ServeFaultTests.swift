import Crypto
import Foundation
import ISVCCore
import LoopbackSupport
import ServiceLifecycle
import Testing

@testable import ISVCServe

#if canImport(Glibc)
    import Glibc
#endif

/// A kept-alive HTTP/1.1 connection on loopback, read one answer at a time (answers framed by
/// Content-Length, as the gateway's are). Blocking: use it on a thread of its own (`onThread`).
final class KeptAliveConnection: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    init?(port: Int, timeoutSeconds: Int = 15) {
        guard let fd = Loopback.connect(port: port, timeoutSeconds: timeoutSeconds) else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads more bytes into the buffer; false at the peer's close, an error or the timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
    }

    /// The next whole answer on the connection; nil when the connection ends first.
    func readResponse() -> RawHTTP.Response? {
        let started = Date()
        while true {
            if let whole = Self.split(buffer) {
                buffer.removeFirst(whole.count)
                let text = String(decoding: whole.bytes, as: UTF8.self)
                guard let end = text.range(of: "\r\n\r\n") else { return nil }
                let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
                guard let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") else { return nil }
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return RawHTTP.Response(
                    status: status, headers: headers, body: String(text[end.upperBound...]),
                    seconds: Date().timeIntervalSince(started))
            }
            guard fill() else { return nil }
        }
    }

    /// Whether the peer closes the connection (no more bytes, then end of stream) within the receive timeout.
    func closedByPeer() -> Bool {
        buffer.isEmpty && !fill() && buffer.isEmpty
    }

    /// A whole answer at the start of `bytes` (head and Content-Length body): its bytes and length.
    static func split(_ bytes: [UInt8]) -> (bytes: [UInt8], count: Int)? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let at = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == marker }) else { return nil }
        let head = String(decoding: bytes[..<at], as: UTF8.self).lowercased()
        let length =
            head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        let total = at + 4 + length
        guard bytes.count >= total else { return nil }
        return (Array(bytes[..<total]), total)
    }
}

/// Blocking work on a thread of its own, so waiting clients never starve the gateway's tasks.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in Thread { c.resume(returning: work()) }.start() }
}

/// `isvc serve` under faults (issue 19, scope 6): draining, request smuggling and parser errors,
/// replicas killed, overload, forged tokens, slow clients. Replicas are scripts/echo-backend.py,
/// which counts the requests it sees: what "never forwarded" is checked against.
@Suite("Serve under faults, live", .serialized)
struct ServeFaultTests {
    struct Drained: Sendable {
        var first: RawHTTP.Response?
        var slow: RawHTTP.Response?
        var closed = false
    }

    @Test(
        "draining: an answer sent while draining says Connection: close and the connection closes after it; no accepted request is lost",
        .timeLimit(.minutes(15)))
    func drainingClosesKeptAliveConnections() async throws {
        try await ServeLiveTests.withRunningGateway(ServeLiveTests.isvc("drain", concurrency: 0)) { port, _, group in
            let host = "drain.default.example.com"
            // Kept-alive clients: each has an answer on its connection already, then a slow request in flight.
            let clients = Task {
                await withTaskGroup(of: Drained.self) { tasks in
                    for _ in 0..<4 {
                        tasks.addTask {
                            await onThread {
                                var out = Drained()
                                guard let c = KeptAliveConnection(port: port) else { return out }
                                c.write("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                                out.first = c.readResponse()
                                c.write("GET /sleep/1500/ HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                                out.slow = c.readResponse()
                                out.closed = c.closedByPeer()
                                return out
                            }
                        }
                    }
                    var all: [Drained] = []
                    for await d in tasks { all.append(d) }
                    return all
                }
            }
            try await Task.sleep(for: .milliseconds(600))
            await group.triggerGracefulShutdown()
            let results = await clients.value
            #expect(results.count == 4)
            for r in results {
                // Before the drain: a kept-alive answer.
                #expect(r.first?.status == 200, "\(String(describing: r.first))")
                #expect(r.first?.headers["connection"] != "close")
                // The accepted slow request is answered, saying the connection ends, and it does.
                #expect(r.slow?.status == 200, "\(String(describing: r.slow))")
                #expect(r.slow?.headers["connection"] == "close", "\(String(describing: r.slow?.headers))")
                #expect(r.closed, "the connection stayed open after the drained answer")
            }
        }
    }

    /// The requests the one replica of `name` has seen (its own count request included).
    static func seen(_ gateway: GatewayServer, _ name: String) async throws -> Int {
        let port = try #require(try await TrafficLiveTests.replicas(gateway, name, count: 1).first)
        return await TrafficLiveTests.seen(port)
    }

    @Test(
        "request smuggling shapes and malformed requests are refused as Envoy refuses them (400; 431 for headers past the parser's limit) and never forwarded",
        .timeLimit(.minutes(15)))
    func smugglingRefused() async throws {
        let yaml = ServeLiveTests.isvc("smug", concurrency: 0, replicas: (1, 1))
        try await ServeLiveTests.withGateway(yaml) { port, gateway in
            let host = "smug.default.example.com"
            let head = "POST /v1/models/smug:predict HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
            // The replica records what reaches it: a valid chunked request does.
            let before = try await Self.seen(gateway, "smug")
            let valid = await RawHTTP.asyncRaw(port: port, Array((head + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n").utf8))
            #expect(valid.status == 200, "\(valid)")
            #expect(valid.json["seen"] as? Int == before + 1, "\(valid.body)")

            let big = String(repeating: "a", count: 90 << 10)
            let cases: [(String, String, Int)] = [
                ("Content-Length with Transfer-Encoding", head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                ("Transfer-Encoding with Content-Length", head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
                ("two different Content-Lengths", head + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde", 400),
                ("a Content-Length list", head + "Content-Length: 3, 5\r\n\r\nabcde", 400),
                ("a chunk size that is not hex", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
                ("a chunk size that overflows", head + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400),
                ("chunk data longer than its size", head + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n", 400),
                ("obs-fold", head + "X-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n", 400),
                ("NUL in a header value", head + "X-Nul: a\u{0}b\r\nContent-Length: 0\r\n\r\n", 400),
                ("CR alone in a header value", head + "X-Cr: a\rb\r\nContent-Length: 0\r\n\r\n", 400),
                ("headers past the parser's limit", head + "X-Big: \(big)\r\nContent-Length: 0\r\n\r\n", 431),
            ]
            for (name, request, status) in cases {
                let r = await RawHTTP.asyncRaw(port: port, Array(request.utf8))
                #expect(r.status == status, "\(name): \(r)")
                #expect(r.body == (status == 431 ? "Request Header Fields Too Large" : "Bad Request"), "\(name): \(r.body)")
                #expect(r.headers["connection"] == "close", "\(name): \(r.headers)")
            }
            // None of them reached the replica (its count: the valid request and this count request).
            #expect(try await Self.seen(gateway, "smug") == before + 2, "a refused request was forwarded")
        }
    }

    @Test(
        "a malformed body on a request answered without reading it: that one answer, then the connection closes",
        .timeLimit(.minutes(15)))
    func malformedBodyUnread() async throws {
        try await ServeLiveTests.withGateway(ServeLiveTests.isvc("unread", concurrency: 0, replicas: (1, 1))) { port, _ in
            let request = "POST / HTTP/1.1\r\nHost: nope.example.com\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"
            // Keep-alive: the connection must end because of the bad body, not because the client asked.
            let text = await onThread { () -> String in
                guard let c = KeptAliveConnection(port: port, timeoutSeconds: 5) else { return "" }
                c.write(request)
                var all = ""
                while let r = c.readResponse() { all += "\(r.status) \(r.headers["connection"] ?? "-")\n" }
                return all
            }
            #expect(text == "404 close\n", "answers on the connection: \(text)")
        }
    }

    @Test("a replica killed with SIGKILL is replaced and serving again within 10 s", .timeLimit(.minutes(15)))
    func killedReplicaReplaced() async throws {
        try await ServeLiveTests.withGateway(ServeLiveTests.isvc("killed", concurrency: 0, replicas: (1, 1))) { port, gateway in
            let host = "killed.default.example.com"
            let first = await RawHTTP.async(port: port, host: host, path: "/")
            #expect(first.status == 200)
            let pid = try #require(first.json["pid"] as? Int, "the echo replica names its PID")
            let replicaPort = try #require(try await TrafficLiveTests.replicas(gateway, "killed", count: 1).first)
            #expect(first.port == replicaPort)
            #expect(kill(pid_t(pid), SIGKILL) == 0)
            let killed = ContinuousClock.now
            var back: RawHTTP.Response?
            while ContinuousClock.now - killed < .seconds(12) {
                let r = await RawHTTP.async(port: port, host: host, path: "/")
                if r.status == 200 { back = r; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let elapsed = ContinuousClock.now - killed
            let answer = try #require(back, "no 200 within 12 s of the SIGKILL")
            #expect(answer.json["pid"] as? Int != pid, "answered by the killed process")
            #expect(elapsed < .seconds(10), "serving again after \(elapsed)")
        }
    }
}

extension ServeFaultTests {
    @Test(
        "4x a replica's queue (containerConcurrency 1: 1 in flight and 10 waiting; 44 at once): only 200s and 503s, the 503s at once",
        .timeLimit(.minutes(15)))
    func overload() async throws {
        let yaml = ServeLiveTests.isvc("busy", concurrency: 1, timeout: 120, replicas: (1, 1))
        try await ServeLiveTests.withGateway(yaml) { port, _ in
            let host = "busy.default.example.com"
            #expect(await RawHTTP.async(port: port, host: host, path: "/").status == 200)
            let rssBefore = Self.residentKiB()
            let answers = await withTaskGroup(of: RawHTTP.Response.self) { group in
                for _ in 0..<44 { group.addTask { await RawHTTP.async(port: port, host: host, path: "/sleep/1000/") } }
                var all: [RawHTTP.Response] = []
                for await r in group { all.append(r) }
                return all
            }
            let rssAfter = Self.residentKiB()
            let statuses = answers.map(\.status)
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses.sorted())")
            let ok = statuses.filter { $0 == 200 }.count
            let refused = answers.filter { $0.status == 503 }.map(\.seconds).sorted()
            #expect(ok >= 11, "\(statuses.sorted())")
            #expect(refused.count >= 22, "\(statuses.sorted())")
            // Refused at once: every 503 comes before the replica's first answer (1 s) could free a place.
            #expect(refused.allSatisfy { $0 < 1.0 }, "\(refused)")
            // Memory stays bounded: refused requests hold nothing (4 MiB more was typical; 64 MiB is a leak).
            #expect(rssAfter - rssBefore < 64 << 10, "RSS \(rssBefore) -> \(rssAfter) KiB")
            let p99 = refused.isEmpty ? 0 : refused[min(refused.count - 1, Int((Double(refused.count) * 0.99).rounded(.up)) - 1)]
            print(
                "overload: \(ok) x 200, \(refused.count) x 503; 503 p50 \(Int((refused.isEmpty ? 0 : refused[refused.count / 2]) * 1000)) ms, p99 \(Int(p99 * 1000)) ms; RSS \(rssBefore) -> \(rssAfter) KiB"
            )
        }
    }

    /// This process's resident set (the gateway runs in it), from /proc.
    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test("slow clients (headers a byte every 50 ms) do not stall another client's requests", .timeLimit(.minutes(15)))
    func slowClients() async throws {
        try await ServeLiveTests.withGateway(ServeLiveTests.isvc("patient", concurrency: 0, replicas: (1, 1))) { port, _ in
            let host = "patient.default.example.com"
            #expect(await RawHTTP.async(port: port, host: host, path: "/").status == 200)
            let request = Array("GET /slow HTTP/1.1\r\nHost: \(host)\r\nX-Padding: 0123456789\r\nConnection: close\r\n\r\n".utf8)
            let slow = (0..<8).map { _ in
                Task {
                    await onThread { () -> (Int, ContinuousClock.Instant) in
                        guard let c = KeptAliveConnection(port: port) else { return (0, .now) }
                        for byte in request {
                            c.write([byte])
                            usleep(50_000)
                        }
                        return (c.readResponse()?.status ?? 0, ContinuousClock.now)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            var fast: [Int] = []
            for _ in 0..<20 { fast.append(await RawHTTP.async(port: port, host: host, path: "/").status) }
            let fastDone = ContinuousClock.now
            #expect(fast == Array(repeating: 200, count: 20))
            for task in slow {
                let (status, answered) = await task.value
                #expect(status == 200, "a slow client's request is answered once whole")
                #expect(answered > fastDone, "the other client's requests waited for the slow ones")
            }
        }
    }
}

extension ServeFaultTests {
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URL(_ text: String) -> String { base64URL(Data(text.utf8)) }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    /// Forgeries of the fixture's valid token (RS256, kid isvc-test): each must be refused by jwt_authn.
    static func forgeries(of token: String) throws -> [(String, String)] {
        let parts = token.split(separator: ".")
        try #require(parts.count == 3)
        let payload = String(parts[1]), signature = String(parts[2])
        let none = base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + payload + "."
        let noneWithKid = base64URL(#"{"alg":"none","typ":"JWT","kid":"isvc-test"}"#) + "." + payload + "."
        // HS256 keyed with the public key's bytes (the JWKS as published, and its modulus): the
        // classic confusion of an RSA public key for an HMAC secret.
        let hsHeader = base64URL(#"{"alg":"HS256","typ":"JWT","kid":"isvc-test"}"#) + "." + payload
        let jwks = try SecurityFixtures.text("fixtures/support/jwks.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jwks.utf8)) as? [String: Any])
        let key = try #require((object["keys"] as? [[String: Any]])?.first)
        let n = try #require(key["n"] as? String)
        let modulus = try #require(decodeBase64URL(Substring(n)))
        let hsJWKS =
            hsHeader + "."
            + base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(hsHeader.utf8), using: SymmetricKey(data: Data(jwks.utf8)))))
        let hsModulus =
            hsHeader + "." + base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(hsHeader.utf8), using: SymmetricKey(data: modulus))))
        // The payload altered (another subject), the signature kept.
        let claims = String(decoding: try #require(decodeBase64URL(parts[1])), as: UTF8.self)
        #expect(claims.contains(#""sub":"alice""#))
        let altered =
            String(parts[0]) + "." + base64URL(claims.replacingOccurrences(of: #""sub":"alice""#, with: #""sub":"admin""#)) + "."
            + signature
        let unknownKid = base64URL(#"{"alg":"RS256","typ":"JWT","kid":"someone-else"}"#) + "." + payload + "." + signature
        return [
            ("alg none", none), ("alg none with the key's kid", noneWithKid), ("HS256 keyed with the JWKS", hsJWKS),
            ("HS256 keyed with the RSA modulus", hsModulus), ("altered payload", altered), ("unknown kid", unknownKid),
            ("signature of another token", String(parts[0]) + "." + payload + "." + String(signature.reversed())),
        ]
    }

    @Test(
        "forged JWTs (alg none, HS256 with the public key, altered payload, unknown kid, a megabyte-long token) never reach a replica",
        .timeLimit(.minutes(15)))
    func forgedTokens() async throws {
        let tokens = try SecurityFixtures.tokens()
        let alice = try #require(tokens["alice"])
        let forged = try Self.forgeries(of: alice)
        let dir = try SecurityLiveTests.modelDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = CountingModel(name: "sklearn-iris")
        try await ServeLiveTests.withRunningGateway(try SecurityLiveTests.yaml(modelDirectory: dir), native: { _, _ in [model] }) {
            port, _, _ in
            let body = #"{"instances": [[1, 2]]}"#
            func post(_ token: String) async -> RawHTTP.Response {
                await RawHTTP.async(
                    port: port, host: SecurityLiveTests.host, path: SecurityLiveTests.path, method: "POST",
                    headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")], body: body)
            }
            let valid = await post(alice)
            #expect(valid.status == 200, "\(valid)")
            #expect(model.predictions == 1, "the valid token reaches the model")
            for (name, token) in forged {
                let r = await post(token)
                #expect(r.status == 401, "\(name): \(r.status) \(r.body)")
                #expect(r.headers["www-authenticate"]?.contains("invalid_token") == true, "\(name): \(r.headers)")
            }
            // A megabyte-long token: past the header limits (Envoy: 431), in the header or the query.
            let huge = "eyJ" + String(repeating: "A", count: 1 << 20)
            let long = await post(huge)
            #expect(long.status == 431, "\(long.status) \(long.body)")
            let query = await RawHTTP.async(
                port: port, host: SecurityLiveTests.host, path: SecurityLiveTests.path + "?access_token=" + huge,
                method: "POST", headers: [("Content-Type", "application/json")], body: body)
            #expect(query.status == 431, "\(query.status) \(query.body)")
            #expect(model.predictions == 1, "a forged token reached the model")
        }
    }
}

extension ServeFaultTests {
    @Test(
        "draining: a request sent on a kept-alive connection idle when draining began is answered (Connection: close), not dropped",
        .timeLimit(.minutes(15)))
    func drainingIdleConnection() async throws {
        try await ServeLiveTests.withRunningGateway(ServeLiveTests.isvc("idledrain", concurrency: 0)) { port, _, group in
            let host = "idledrain.default.example.com"
            let connection = try #require(KeptAliveConnection(port: port))
            let first = await onThread {
                connection.write("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"); return connection.readResponse()
            }
            #expect(first?.status == 200 && first?.headers["connection"] != "close", "\(String(describing: first))")
            let shutdown = Task { await group.triggerGracefulShutdown() }
            // Draining has begun once new connections are refused; the kept-alive client's next request is already on its way.
            var refused = false
            for _ in 0..<100 where !refused {
                refused = await onThread { KeptAliveConnection(port: port, timeoutSeconds: 1) == nil }
                if !refused { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(refused, "the gateway still accepts connections")
            let next = await onThread { () -> (RawHTTP.Response?, Bool) in
                connection.write("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                let r = connection.readResponse()
                return (r, connection.closedByPeer())
            }
            #expect(next.0?.status == 200, "the request on the idle connection was dropped: \(String(describing: next.0))")
            #expect(next.0?.headers["connection"] == "close")
            #expect(next.1, "the connection stayed open after the drained answer")
            await shutdown.value
        }
    }

    /// The `isvc` executable built beside the test bundle.
    static let binary = TestTools.isvc

    struct LoadClient: Sendable {
        var answered = 0
        var notOK = 0
        var lost = 0
        var closed = false
    }

    @Test(
        "SIGTERM to isvc serve under load: kept-alive clients lose no request; each gets an answer saying Connection: close",
        .timeLimit(.minutes(15)))
    func sigtermUnderLoad() async throws {
        let binary = try #require(Self.binary, "the isvc executable is built by swift test")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-sigterm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let yaml = work.appendingPathComponent("load.yaml")
        try ServeLiveTests.isvc("load", concurrency: 0, replicas: (1, 1)).write(to: yaml, atomically: true, encoding: .utf8)
        let port = Loopback.freePort(), admin = Loopback.freePort()
        try await LoopbackLock.run {
            let process = Process()
            process.executableURL = binary
            process.arguments = [
                "serve", yaml.path, "--port", "\(port)", "--admin-port", "\(admin)",
                "--workdir", work.appendingPathComponent("state").path,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
            let host = "load.default.example.com"
            var ready = false
            for _ in 0..<150 where !ready {
                ready = await RawHTTP.async(port: port, host: host, path: "/").status == 200
                if !ready { try await Task.sleep(for: .milliseconds(200)) }
            }
            try #require(ready, "isvc serve never answered")
            // Six kept-alive clients, each sending its next request as soon as it has an answer, until
            // an answer says the connection closes (no reconnecting: the listener is closing).
            let clients = (0..<6).map { _ in
                Task {
                    await onThread { () -> LoadClient in
                        var out = LoadClient()
                        guard let c = KeptAliveConnection(port: port) else { return out }
                        while true {
                            guard c.write("GET /sleep/40/ HTTP/1.1\r\nHost: \(host)\r\n\r\n"), let r = c.readResponse() else {
                                out.lost += 1
                                return out
                            }
                            out.answered += 1
                            if r.status != 200 { out.notOK += 1 }
                            if r.headers["connection"] == "close" {
                                out.closed = c.closedByPeer()
                                return out
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(1500))
            #expect(kill(process.processIdentifier, SIGTERM) == 0)
            var results: [LoadClient] = []
            for client in clients { results.append(await client.value) }
            let exited = await onThread { () -> Bool in
                for _ in 0..<300 where process.isRunning { usleep(50_000) }
                return !process.isRunning
            }
            #expect(exited, "isvc serve did not stop after SIGTERM")
            if exited { #expect(process.terminationReason == .exit && process.terminationStatus == 0) }
            let answered = results.map(\.answered).reduce(0, +)
            #expect(answered > 6 * 5, "load before the SIGTERM: \(results)")
            #expect(results.allSatisfy { $0.lost == 0 }, "requests lost: \(results)")
            #expect(results.allSatisfy { $0.notOK == 0 }, "\(results)")
            #expect(results.allSatisfy { $0.closed }, "\(results)")
        }
    }
}

extension ServeFaultTests {
    @Test(
        "a refused request pipelined behind a valid one: the valid one is answered, then the 400, then the connection closes",
        .timeLimit(.minutes(15)))
    func pipelinedRefusal() async throws {
        try await ServeLiveTests.withGateway(ServeLiveTests.isvc("piped", concurrency: 0, replicas: (1, 1))) { port, gateway in
            let host = "piped.default.example.com"
            let before = try await Self.seen(gateway, "piped")
            let bytes = "GET /first HTTP/1.1\r\nHost: \(host)\r\n\r\n" + "GET /second HTTP/1.1\r\nHost: \(host)\r\nX-Nul: a\u{0}b\r\n\r\n"
            let answers = await onThread { () -> [RawHTTP.Response] in
                guard let c = KeptAliveConnection(port: port, timeoutSeconds: 5) else { return [] }
                c.write(bytes)
                var all: [RawHTTP.Response] = []
                while let r = c.readResponse() { all.append(r) }
                return all
            }
            #expect(answers.map(\.status) == [200, 400], "\(answers)")
            #expect(answers.first?.json["path"] as? String == "/first")
            #expect(answers.last?.body == "Bad Request")
            #expect(answers.last?.headers["connection"] == "close")
            #expect(try await Self.seen(gateway, "piped") == before + 2, "only /first and this count reached the replica")
        }
    }
}
