import Foundation
import ISVCCore
import LoopbackSupport
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
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            // A connect interrupted by a signal (a replica exiting) goes on in the background.
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard errno == EINTR, poll(&p, 1, 15_000) == 1, getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
                close(fd)
                return nil
            }
        }
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
                return RawHTTP.Response(status: status, headers: headers, body: String(text[end.upperBound...]),
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
        let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
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

/// `isvc serve` under faults (issue 19, scope 6): draining, request smuggling and parser errors. Replicas are scripts/echo-backend.py,
/// which counts the requests it sees: what "never forwarded" is checked against.
@Suite("Serve under faults, live", .serialized)
struct ServeFaultTests {
    struct Drained: Sendable {
        var first: RawHTTP.Response?
        var slow: RawHTTP.Response?
        var closed = false
    }

    @Test("draining: an answer sent while draining says Connection: close and the connection closes after it; no accepted request is lost",
          .timeLimit(.minutes(3)))
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

    @Test("request smuggling shapes and malformed requests are refused as Envoy refuses them (400; 431 for headers past the parser's limit) and never forwarded",
          .timeLimit(.minutes(3)))
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

    @Test("a malformed body on a request answered without reading it: that one answer, then the connection closes",
          .timeLimit(.minutes(2)))
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
}
