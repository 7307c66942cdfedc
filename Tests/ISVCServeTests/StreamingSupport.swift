import Foundation
import HTTPTypes
import LoopbackSupport
import NIOCore
import NIOHTTP2
import NIOHTTPTypes
import NIOHTTPTypesHTTP2
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Clients that time each server-sent event as it arrives: over HTTP/1.1 (a blocking socket on a
/// thread of its own, chunked framing decoded by hand) and over h2c (prior knowledge, NIO's HTTP/2).
enum SSEClient {
    struct Result: Sendable {
        var status = 0
        var headers: [String: String] = [:]
        /// Each event's `data:` payload and when it was whole, in seconds after the request was sent.
        var events: [(at: Double, data: String)] = []
        /// The body ended as its framing says (for a cut stream: false).
        var complete = false
        /// The whole body as received (for an answer that is not an event stream).
        var body = ""

        var payloads: [String] { events.map(\.data) }
        /// The events' JSON objects (all but `[DONE]`).
        var objects: [[String: Any]] {
            payloads.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        var spread: Double { (events.last?.at ?? 0) - (events.first?.at ?? 0) }
    }

    /// Events completed in `body` from byte `offset` on, each timed `at`; the new offset.
    static func events(in body: [UInt8], from offset: Int, at: Double, into result: inout Result) -> Int {
        var start = offset
        while let end = body[start...].firstRange(of: [10, 10]) {
            let event = String(decoding: body[start..<end.lowerBound], as: UTF8.self)
            for line in event.split(separator: "\n") where line.hasPrefix("data:") {
                result.events.append((at, line.dropFirst(5).trimmingCharacters(in: .whitespaces)))
            }
            start = end.upperBound
        }
        return start
    }

    /// POSTs `body` over HTTP/1.1 and reads the answer as it comes; after `stopAfter` events the
    /// connection is closed (a client going away mid-stream).
    static func post(port: Int, host: String, path: String, body: String, stopAfter: Int? = nil) async -> Result {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: postBlocking(port: port, host: host, path: path, body: body, stopAfter: stopAfter)) }
                .start()
        }
    }

    static func postBlocking(port: Int, host: String, path: String, body: String, stopAfter: Int?) -> Result {
        var result = Result()
        guard let fd = Loopback.connect(port: port) else { return result }
        defer { close(fd) }
        let request =
            "POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let bytes = Array(request.utf8)
        let started = Date()
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { return result }
        var raw: [UInt8] = []
        var decoder = ChunkDecoder()
        var decoded: [UInt8] = []
        var offset = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            let at = Date().timeIntervalSince(started)
            if result.status == 0 {
                raw += buffer[0..<n]
                guard let split = raw.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
                parseHead(Array(raw[..<split.lowerBound]), into: &result)
                decoder.chunked = result.headers["transfer-encoding"]?.lowercased() == "chunked"
                decoder.feed(Array(raw[split.upperBound...]))
            } else {
                decoder.feed(Array(buffer[0..<n]))
            }
            decoded += decoder.take()
            offset = events(in: decoded, from: offset, at: at, into: &result)
            if let stopAfter, result.events.count >= stopAfter { break }
            if decoder.ended || (!decoder.chunked && decoded.count >= Int(result.headers["content-length"] ?? "") ?? .max) { break }
        }
        result.complete = decoder.ended || (!decoder.chunked && decoded.count == Int(result.headers["content-length"] ?? ""))
        result.body = String(decoding: decoded, as: UTF8.self)
        return result
    }

    static func parseHead(_ head: [UInt8], into result: inout Result) {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        result.status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? -1
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result.headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// HTTP/1.1 chunked framing, decoded as bytes arrive.
    struct ChunkDecoder {
        var chunked = false
        var ended = false
        private var pending: [UInt8] = []
        private var out: [UInt8] = []
        private var remaining = 0  // bytes of the current chunk still to come (then its CRLF)

        mutating func feed(_ bytes: [UInt8]) {
            guard chunked else {
                out += bytes
                return
            }
            pending += bytes
            while !ended {
                if remaining > 0 {
                    let n = min(remaining, pending.count)
                    guard n > 0 else { return }
                    out += pending[0..<n]
                    pending.removeFirst(n)
                    remaining -= n
                    if remaining > 0 { return }
                    remaining = -2  // the chunk's CRLF
                }
                if remaining == -2 {
                    guard pending.count >= 2 else { return }
                    pending.removeFirst(2)
                    remaining = 0
                }
                guard let lineEnd = pending.firstRange(of: Array("\r\n".utf8)) else { return }
                let sizeText = String(decoding: pending[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
                pending.removeFirst(lineEnd.upperBound)
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return }
                if size == 0 { ended = true } else { remaining = size }
            }
        }

        mutating func take() -> [UInt8] {
            defer { out.removeAll() }
            return out
        }
    }
}

extension SSEClient {
    typealias Stream = NIOAsyncChannel<HTTPResponsePart, HTTPRequestPart>

    /// POSTs `body` over h2c (prior knowledge) and reads the answer as it comes; after `stopAfter`
    /// events the stream is reset (RST_STREAM) and `whileOpen` runs before the connection closes.
    static func postH2C(
        port: Int, host: String, path: String, body: String, stopAfter: Int? = nil,
        whileOpen: @Sendable () async -> Void = {}
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        let multiplexer = try await channel.configureAsyncHTTP2Pipeline(mode: .client) { $0.eventLoop.makeSucceededVoidFuture() }.get()
        let stream: Stream = try await multiplexer.openStream { child in
            child.eventLoop.makeCompletedFuture {
                try child.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTPClientCodec())
                return try Stream(wrappingChannelSynchronously: child)
            }
        }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        let head = HTTPRequest(method: .post, scheme: "http", authority: host, path: path, headerFields: fields)
        let started = Date()
        var result = Result()
        try await stream.executeThenClose { inbound, outbound in
            try await outbound.write(.head(head))
            try await outbound.write(.body(ByteBuffer(string: body)))
            try await outbound.write(.end(nil))
            var decoded: [UInt8] = []
            var offset = 0
            for try await part in inbound {
                switch part {
                case .head(let response):
                    result.status = response.status.code
                    for field in response.headerFields { result.headers[field.name.canonicalName] = field.value }
                case .body(let bytes):
                    decoded += Array(buffer: bytes)
                    offset = events(in: decoded, from: offset, at: Date().timeIntervalSince(started), into: &result)
                    result.body = String(decoding: decoded, as: UTF8.self)
                    if let stopAfter, result.events.count >= stopAfter { return }
                case .end:
                    result.complete = true
                    return
                }
            }
        }
        await whileOpen()
        return result
    }
}
