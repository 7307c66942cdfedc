import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import ISVCServe

/// The gateway's upstream client against a scripted loopback server that answers each request as
/// told (raw bytes, so that it can misbehave: close, stay silent, frame oddly), and counts the
/// connections it accepted and saw closed.
@Suite("Upstream HTTP client", .timeLimit(.minutes(2)))
struct UpstreamHTTPClientTests {
    static func head(_ method: HTTPMethod = .GET, _ uri: String = "/v1/models/m") -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "m.default.example.com")
        return HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
    }

    static let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-type: text/plain\r\n\r\nok"

    @Test("keep-alive: sequential requests share one connection; the body and headers arrive")
    func keepAlive() async throws {
        let server = try await ScriptedServer.start { request in
            .answer(
                "HTTP/1.1 200 OK\r\nContent-Length: \(request.body.count + 1)\r\nx-seen-host: \(request.header("host") ?? "")\r\n\r\n\(request.body)!"
            )
        }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        for i in 0..<5 {
            var head = Self.head(.POST)
            head.headers.add(name: "Content-Length", value: "\(String(i).count)")
            let answer = try await client.execute(port: server.port, head: head, body: ByteBuffer(string: String(i)), timeout: .seconds(5))
            #expect(answer.status == 200)
            #expect(String(buffer: answer.body) == "\(i)!")
            #expect(answer.headers["x-seen-host"] == ["m.default.example.com"])
        }
        #expect(server.accepted == 1)
    }

    @Test("an answer with Connection: close is not reused; the next request opens a new connection")
    func connectionClose() async throws {
        let server = try await ScriptedServer.start { _ in .answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        for _ in 0..<3 {
            let answer = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
            #expect(String(buffer: answer.body) == "ok")
        }
        #expect(server.accepted == 3)
    }

    @Test("a connection the server closes while idle leaves the pool; the next request still succeeds")
    func serverClosesIdle() async throws {
        let server = try await ScriptedServer.start { _ in .answerThenClose(UpstreamHTTPClientTests.ok, after: .milliseconds(1)) }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        for _ in 0..<3 {
            let answer = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
            #expect(answer.status == 200)
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(server.accepted == 3)
    }

    @Test("no answer within the timeout: .timeout, and the connection is closed (its answer may still come)")
    func timeout() async throws {
        let server = try await ScriptedServer.start { _ in .silent }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        let started = ContinuousClock.now
        await #expect(throws: UpstreamHTTPClient.Failure.timeout) {
            try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .milliseconds(200))
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(190) && elapsed < .seconds(30))
        for _ in 0..<2000 where server.closed < 1 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.closed == 1)
    }

    @Test("the server closes before answering: .reset")
    func reset() async throws {
        let server = try await ScriptedServer.start { _ in .close }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        await #expect(throws: UpstreamHTTPClient.Failure.reset("connection closed before an answer")) {
            try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
        }
    }

    @Test("a refused port: .connectFailure")
    func refused() async throws {
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        let port = ProcessReplica.freePort()
        do {
            _ = try await client.execute(port: port, head: Self.head(), body: nil, timeout: .seconds(5))
            Issue.record("a request to a closed port succeeded")
        } catch UpstreamHTTPClient.Failure.connectFailure {
        } catch {
            Issue.record("expected a connect failure, got \(error)")
        }
    }

    @Test("a body over the limit: .responseTooLarge")
    func tooLarge() async throws {
        let server = try await ScriptedServer.start { _ in .answer("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789") }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 10)
        defer { client.shutdown() }
        await #expect(throws: UpstreamHTTPClient.Failure.responseTooLarge) {
            try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
        }
    }

    @Test("chunked answers are joined; a 100 Continue before the answer is skipped; HEAD has no body")
    func framing() async throws {
        let server = try await ScriptedServer.start { request in
            switch request.method {
            case "HEAD": return .answer("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
            case "PUT": return .answer("HTTP/1.1 100 Continue\r\n\r\n" + UpstreamHTTPClientTests.ok)
            default: return .answer("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            }
        }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        let chunked = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
        #expect(chunked.status == 201)
        #expect(String(buffer: chunked.body) == "hello world")
        let head = try await client.execute(port: server.port, head: Self.head(.HEAD), body: nil, timeout: .seconds(5))
        #expect(head.status == 200 && head.body.readableBytes == 0)
        var put = Self.head(.PUT)
        put.headers.add(name: "Content-Length", value: "0")
        let continued = try await client.execute(port: server.port, head: put, body: nil, timeout: .seconds(5))
        #expect(continued.status == 200 && String(buffer: continued.body) == "ok")
        #expect(server.accepted == 1)
    }

    @Test("an answer framed by closing the connection (HTTP/1.0, no length) is whole, and the connection not reused")
    func closeDelimited() async throws {
        let server = try await ScriptedServer.start { _ in
            .answerThenClose("HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end", after: .milliseconds(10))
        }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        for _ in 0..<2 {
            let answer = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
            #expect(answer.status == 200 && String(buffer: answer.body) == "until the end")
        }
        #expect(server.accepted == 2)
    }

    @Test("an idle connection is closed after the idle timeout, not before; the next request opens a new one")
    func idleTimeout() async throws {
        // Only lower bounds on time: the suite runs beside CPU-heavy suites that can starve it for seconds.
        let server = try await ScriptedServer.start { _ in .answer(UpstreamHTTPClientTests.ok) }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20, idleTimeout: .milliseconds(300))
        defer { client.shutdown() }
        let before = ContinuousClock.now
        _ = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
        for _ in 0..<2000 where server.closed < 1 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.closed == 1)
        #expect(ContinuousClock.now - before >= .milliseconds(300))
        _ = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
        #expect(server.accepted == 2)
    }

    @Test("a cancelled caller ends its exchange at once and its connection is closed")
    func cancellation() async throws {
        let server = try await ScriptedServer.start { _ in .silent }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        let started = ContinuousClock.now
        let call = Task { try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(60)) }
        for _ in 0..<2000 where server.accepted < 1 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        await #expect(throws: UpstreamHTTPClient.Failure.cancelled) { try await call.value }
        #expect(ContinuousClock.now - started < .seconds(30))
        for _ in 0..<2000 where server.closed < 1 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.closed == 1)
    }

    @Test("a path with characters NIO's outbound validator refuses ({, \", <) goes upstream as the client sent it")
    func unusualPath() async throws {
        let server = try await ScriptedServer.start { request in
            .answer("HTTP/1.1 200 OK\r\nContent-Length: \(request.uri.utf8.count)\r\n\r\n\(request.uri)")
        }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        let uri = #"/v1/models/m?x={"a":1}&y=<b>"#
        let answer = try await client.execute(port: server.port, head: Self.head(.GET, uri), body: nil, timeout: .seconds(5))
        #expect(answer.status == 200)
        #expect(String(buffer: answer.body) == uri)
    }

    @Test("a reused connection the server closes instead of answering: an idempotent request goes again on a new one, a POST fails")
    func staleKeepAlive() async throws {
        let seen = NIOLockedValueBox(0)
        let server = try await ScriptedServer.start { _ in
            // The second request on the first connection meets the server's close.
            seen.withLockedValue { n in
                n += 1; return n
            } == 2 ? .close : .answer(UpstreamHTTPClientTests.ok)
        }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        _ = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
        let again = try await client.execute(port: server.port, head: Self.head(), body: nil, timeout: .seconds(5))
        #expect(again.status == 200 && server.accepted == 2)

        seen.withLockedValue { $0 = 0 }
        var post = Self.head(.POST)
        post.headers.add(name: "Content-Length", value: "0")
        let postServer = try await ScriptedServer.start { _ in
            seen.withLockedValue { n in
                n += 1; return n
            } == 2 ? .close : .answer(UpstreamHTTPClientTests.ok)
        }
        defer { postServer.stop() }
        _ = try await client.execute(port: postServer.port, head: post, body: nil, timeout: .seconds(5))
        await #expect(throws: UpstreamHTTPClient.Failure.reset("connection closed before an answer")) {
            try await client.execute(port: postServer.port, head: post, body: nil, timeout: .seconds(5))
        }
        #expect(postServer.accepted == 1)
    }

    @Test("concurrent requests each get their own answer")
    func concurrent() async throws {
        let server = try await ScriptedServer.start { request in
            .answer("HTTP/1.1 200 OK\r\nContent-Length: \(request.uri.count)\r\n\r\n\(request.uri)")
        }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let answer = try await client.execute(
                        port: server.port, head: Self.head(.GET, "/r/\(i)"), body: nil, timeout: .seconds(10))
                    return String(buffer: answer.body) == "/r/\(i)"
                }
            }
            var right = 0
            for try await ok in group where ok { right += 1 }
            #expect(right == 200)
        }
        #expect(server.accepted <= 200)
    }
}

/// A loopback HTTP/1.1 server that reads each request (head and Content-Length body) and does what
/// the script says.
final class ScriptedServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: String
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
    }

    enum Action: Sendable {
        case answer(String)
        case answerThenClose(String, after: TimeAmount)
        /// Each string written `every` apart, the first at once (an answer that streams).
        case parts([String], every: TimeAmount)
        case close
        case silent
    }

    let channel: Channel
    let counts: NIOLockedValueBox<(accepted: Int, closed: Int)>
    var port: Int { channel.localAddress?.port ?? 0 }
    var accepted: Int { counts.withLockedValue { $0.accepted } }
    var closed: Int { counts.withLockedValue { $0.closed } }

    private init(channel: Channel, counts: NIOLockedValueBox<(accepted: Int, closed: Int)>) {
        self.channel = channel
        self.counts = counts
    }

    static func start(_ script: @escaping @Sendable (Request) -> Action) async throws -> ScriptedServer {
        let counts = NIOLockedValueBox((accepted: 0, closed: 0))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                counts.withLockedValue { $0.accepted += 1 }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Handler(script: script, counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedServer(channel: channel, counts: counts)
    }

    func stop() { channel.close(promise: nil) }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let script: @Sendable (Request) -> Action
        let counts: NIOLockedValueBox<(accepted: Int, closed: Int)>
        var pending: [UInt8] = []

        init(script: @escaping @Sendable (Request) -> Action, counts: NIOLockedValueBox<(accepted: Int, closed: Int)>) {
            self.script = script
            self.counts = counts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += Array(buffer: unwrapInboundIn(data))
            while let request = takeRequest() {
                switch script(request) {
                case .answer(let raw):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: raw)), promise: nil)
                case .answerThenClose(let raw, let after):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: raw)), promise: nil)
                    let channel = context.channel
                    context.eventLoop.scheduleTask(in: after) { channel.close(promise: nil) }
                case .parts(let parts, let every):
                    let channel = context.channel
                    for (i, part) in parts.enumerated() {
                        context.eventLoop.scheduleTask(in: .nanoseconds(every.nanoseconds * Int64(i))) {
                            channel.writeAndFlush(ByteBuffer(string: part), promise: nil)
                        }
                    }
                case .close:
                    context.close(promise: nil)
                case .silent:
                    break
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            counts.withLockedValue { $0.closed += 1 }
        }

        /// One whole request off the front of what arrived, if there is one.
        private func takeRequest() -> Request? {
            let marker: [UInt8] = Array("\r\n\r\n".utf8)
            guard pending.count >= 4, let end = (0...(pending.count - 4)).first(where: { Array(pending[$0..<$0 + 4]) == marker }) else {
                return nil
            }
            let lines = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            let first = lines[0].split(separator: " ")
            guard first.count == 3 else {
                Issue.record("not a request line: \(lines[0])")
                pending.removeAll()
                return nil
            }
            var headers: [(String, String)] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
            guard pending.count >= end + 4 + length else { return nil }
            let body = String(decoding: pending[(end + 4)..<(end + 4 + length)], as: UTF8.self)
            pending.removeFirst(end + 4 + length)
            return Request(method: String(first[0]), uri: String(first[1]), headers: headers, body: body)
        }
    }
}
