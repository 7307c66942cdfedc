import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

@testable import ISVCServe

/// The upstream client's streamed answers (`Streaming`, `UpstreamBodyStream`) against the scripted
/// loopback server: handed over at the head, parts as they come, the connection kept after a whole
/// stream and closed after a broken one, the body's deadline, and which answers stream.
@Suite("Upstream HTTP client: streamed answers", .timeLimit(.minutes(2)))
struct UpstreamStreamTests {
    static let head = UpstreamHTTPClientTests.head()
    static let streaming = UpstreamHTTPClient.Streaming(bodyDeadline: nil)

    /// A chunked SSE answer: its head, then one event per part, `every` apart, then its end.
    static func events(_ n: Int) -> [String] {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        let frames = (0..<n).map { i -> String in
            let data = "data: \(i)\n\n"
            return String(data.utf8.count, radix: 16) + "\r\n" + data + "\r\n"
        }
        return [head] + frames + ["0\r\n\r\n"]
    }

    /// Reads a stream to its end: each part's text and when it came (seconds after `since`).
    static func read(_ stream: UpstreamBodyStream?, since: ContinuousClock.Instant) async throws -> [(String, Double)] {
        let parts = try #require(stream?.take())
        var out: [(String, Double)] = []
        for try await part in parts {
            let at = ContinuousClock.now - since
            out.append((String(buffer: part), Double(at.components.seconds) + Double(at.components.attoseconds) / 1e18))
        }
        return out
    }

    @Test("a chunked answer comes at its head, its parts as they are sent; the connection is kept after it; a sized one comes whole")
    func handedOverAtHead() async throws {
        let server = try await ScriptedServer.start { request in
            request.uri == "/sized" ? .answer(UpstreamHTTPClientTests.ok) : .parts(Self.events(6), every: .milliseconds(300))
        }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        let started = ContinuousClock.now
        let answer = try await client.execute(
            port: server.port, head: Self.head, body: nil, timeout: .seconds(5), streaming: Self.streaming)
        // The body takes 2.1 s after the head; collected whole, the answer would come with its last
        // part. Measured against the parts' own arrival, not a wall-clock budget (a loaded machine
        // delays both alike).
        let headAt = ContinuousClock.now - started
        #expect(answer.status == 200 && answer.stream != nil && answer.body.readableBytes == 0)
        let done = NIOLockedValueBox(false)
        answer.stream?.whenDone { done.withLockedValue { $0 = true } }
        let parts = try await Self.read(answer.stream, since: started)
        #expect(parts.map(\.0).joined() == (0..<6).map { "data: \($0)\n\n" }.joined())
        let head = Double(headAt.components.seconds) + Double(headAt.components.attoseconds) / 1e18
        #expect((parts.last?.1 ?? 0) - head >= 0.9, "the answer waited for its body: head at \(head), parts \(parts)")
        #expect((parts.last?.1 ?? 0) - (parts.first?.1 ?? 0) >= 0.6, "\(parts)")
        // The end is signalled from the connection's event loop, just after the last part is taken.
        for _ in 0..<100 where !done.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(done.withLockedValue { $0 })
        var sized = Self.head
        sized.uri = "/sized"
        let whole = try await client.execute(port: server.port, head: sized, body: nil, timeout: .seconds(5), streaming: Self.streaming)
        #expect(whole.stream == nil && String(buffer: whole.body) == "ok")
        #expect(server.accepted == 1, "the connection was not reused after the whole stream")
    }

    @Test("a stream dropped unread or cancelled mid-body closes its connection and runs its whenDone actions")
    func cancelled() async throws {
        let server = try await ScriptedServer.start { _ in .parts(Self.events(50), every: .milliseconds(50)) }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        let ended = NIOLockedValueBox(0)
        do {
            let unread = try await client.execute(
                port: server.port, head: Self.head, body: nil, timeout: .seconds(5), streaming: Self.streaming)
            unread.stream?.whenDone { ended.withLockedValue { $0 += 1 } }
        }
        let answer = try await client.execute(
            port: server.port, head: Self.head, body: nil, timeout: .seconds(5), streaming: Self.streaming)
        answer.stream?.whenDone { ended.withLockedValue { $0 += 1 } }
        let parts = try #require(answer.stream?.take())
        var seen = 0
        do {
            for try await _ in parts {
                seen += 1
                if seen == 2 { answer.stream?.cancel() }
            }
            Issue.record("a cancelled stream ended cleanly")
        } catch {
            #expect(error as? UpstreamHTTPClient.Failure == .cancelled, "\(error)")
        }
        for _ in 0..<200 where server.closed < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.closed == 2 && server.accepted == 2)
        #expect(ended.withLockedValue { $0 } == 2)
    }

    @Test("the body's deadline cuts a stream with .timeout; the head's own timeout stops counting once it came")
    func bodyDeadline() async throws {
        let server = try await ScriptedServer.start { _ in .parts(Self.events(20), every: .milliseconds(100)) }
        defer { server.stop() }
        let client = UpstreamHTTPClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        // The exchange's timeout (1 s) bounds the head only: without a body deadline the 2 s stream ends whole.
        let free = try await client.execute(
            port: server.port, head: Self.head, body: nil, timeout: .seconds(1), streaming: Self.streaming)
        let text = try await Self.read(free.stream, since: .now).map(\.0).joined()
        #expect(text.components(separatedBy: "data: ").count - 1 == 20)
        let started = ContinuousClock.now
        let limited = UpstreamHTTPClient.Streaming(bodyDeadline: .now() + .milliseconds(350))
        let cut = try await client.execute(port: server.port, head: Self.head, body: nil, timeout: .seconds(5), streaming: limited)
        await #expect(throws: UpstreamHTTPClient.Failure.timeout) { _ = try await Self.read(cut.stream, since: started) }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(340) && elapsed < .seconds(2), "\(elapsed)")
    }

    @Test("which answers stream: event streams and bodies without Content-Length; never HEAD, 204, 304")
    func whichStream() {
        func head(_ code: UInt, _ fields: [(String, String)]) -> HTTPResponseHead {
            HTTPResponseHead(version: .http1_1, status: .init(statusCode: Int(code)), headers: HTTPHeaders(fields))
        }
        let streams = UpstreamConnectionHandler.streams
        #expect(streams(head(200, [("Transfer-Encoding", "chunked")]), .POST))
        #expect(streams(head(200, [("Content-Type", "Text/Event-Stream; charset=utf-8"), ("Content-Length", "10")]), .POST))
        #expect(!streams(head(200, [("Content-Type", "application/json"), ("Content-Length", "10")]), .POST))
        #expect(!streams(head(200, [("Content-Type", "text/event")]).self, .HEAD))
        #expect(!streams(head(204, []), .GET) && !streams(head(304, []), .GET))
        #expect(streams(head(503, [("Content-Type", "text/plain")]), .GET))
    }
}
