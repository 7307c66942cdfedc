import Foundation
import LoopbackSupport

/// A raw HTTP/1.1 exchange on loopback that returns the response headers too, and sends exactly the
/// bytes given (for malformed requests). One connection per request, 15 s timeout.
enum RawHTTP {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var seconds: Double
        /// The echo backend's JSON answer, when it is one.
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:] }
        var port: Int { json["port"] as? Int ?? 0 }
    }

    static func exchange(port: Int, _ bytes: [UInt8]) -> Response? {
        let started = Date()
        guard let data = Loopback.exchange(port: port, bytes, isComplete: complete) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(
            status: status, headers: headers, body: String(text[split.upperBound...]),
            seconds: Date().timeIntervalSince(started))
    }

    /// Whether `data` holds a whole response with a Content-Length (the server may keep the connection open).
    static func complete(_ data: [UInt8]) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<split.lowerBound].lowercased()
        guard let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return text[split.upperBound...].utf8.count >= length
    }

    static func request(
        port: Int, host: String, path: String, method: String = "GET", headers: [(String, String)] = [],
        body: String = ""
    ) -> Response? {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if method != "GET" || !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        return exchange(port: port, Array((text + "\r\n" + body).utf8))
    }

    /// On a thread of its own, so waiting never starves the gateway's tasks.
    static func async(
        port: Int, host: String, path: String, method: String = "GET", headers: [(String, String)] = [],
        body: String = ""
    ) async -> Response {
        await withCheckedContinuation { c in
            Thread {
                c.resume(
                    returning: request(port: port, host: host, path: path, method: method, headers: headers, body: body)
                        ?? Response(status: 0, headers: [:], body: "", seconds: 0))
            }.start()
        }
    }

    static func asyncRaw(port: Int, _ bytes: [UInt8]) async -> Response {
        await withCheckedContinuation { c in
            Thread { c.resume(returning: exchange(port: port, bytes) ?? Response(status: 0, headers: [:], body: "", seconds: 0)) }.start()
        }
    }
}
