import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gateway's limits on what a client may send, as Envoy's HTTP connection manager defaults
/// (`max_request_headers_kb` 60, `max_headers_count` 100), plus isvc's own guards: a body limit and
/// timeouts for clients that send slowly (the emitted HCM sets none: `stream_idle_timeout: 0s`).
public struct GatewayLimits: Sendable {
    public var maxBodyBytes = 64 << 20
    public var maxHeaderCount = 100
    public var maxHeaderBytes = 60 << 10
    /// Time allowed to receive a request's body (Envoy's HCM `request_timeout`: 408 past it).
    public var requestTimeout: Duration = .seconds(300)
    /// Bodies announced (Content-Length) at most this large are read without that timer: a task and a
    /// timer per request were a tenth of the gateway's CPU. A client stalling on one is cut by the
    /// connection's idle timeout instead.
    public var untimedBodyBytes = 64 << 10
    /// A connection that sends nothing for this long is closed (Envoy's HCM `idle_timeout`, 1 h by default).
    public var idleTimeout: Duration = .seconds(3600)
    /// Tensor elements one request to an in-process model may carry (V1 instances, V2 inputs): 413 past it.
    public var maxTensorElements = ProtocolServer.Limits.defaultMaxTensorElements

    public init() {}
}

/// Request hygiene before routing: header limits (431), a duplicate Host (400), and the path as
/// Envoy's `normalize_path` gives it (RFC 3986 dot segments resolved, `%2E` as a dot; escaped
/// slashes kept, as `path_with_escaped_slashes_action: KEEP_UNCHANGED`; no `merge_slashes`).
enum RequestHygiene {
    enum Rejection: Error, Equatable {
        case headersTooLarge(String)
        case badRequest(String)
    }

    static func check(_ request: Request, limits: GatewayLimits) -> Rejection? {
        let fields = request.headers
        // The Host header counts too (it became the authority).
        let count = fields.count + (request.head.authority == nil ? 0 : 1)
        if count > limits.maxHeaderCount {
            return .headersTooLarge("\(count) request headers, more than \(limits.maxHeaderCount)")
        }
        var bytes = (request.head.authority?.utf8.count ?? 0) + 8 + request.uri.description.utf8.count + request.method.rawValue.utf8.count
        for f in fields { bytes += f.name.rawName.utf8.count + f.value.utf8.count + 4 }
        if bytes > limits.maxHeaderBytes {
            return .headersTooLarge("request headers of \(bytes) bytes, more than \(limits.maxHeaderBytes)")
        }
        // The HTTP/1 parser made the first Host the authority; another one stays a field (RFC 9112: 400).
        if fields.contains(where: { $0.name.canonicalName == "host" }) {
            return .badRequest("more than one Host header")
        }
        if let host = request.head.authority,
            host.isEmpty || host.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "@") })
        {
            return .badRequest("invalid Host header")
        }
        return nil
    }

    /// The path (with its query) as Envoy's `normalize_path` leaves it; nil when it cannot be
    /// normalised (Envoy answers 400).
    static func normalize(_ target: String) -> String? {
        // Most paths have nothing to resolve or refuse: one pass over the bytes up to the query.
        var bytes = target.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "/") else { return nil }
        var previous = UInt8(ascii: "/")
        var plain = true
        while let b = bytes.next(), b != UInt8(ascii: "?") {
            switch b {
            case 0, UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "#"): return nil
            case UInt8(ascii: "%"): plain = false
            case UInt8(ascii: ".") where previous == UInt8(ascii: "/"): plain = false
            default: break
            }
            previous = b
        }
        if plain { return target }
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts.first ?? "")
        let query = parts.count > 1 ? "?" + parts[1] : ""
        guard path.hasPrefix("/"), !path.contains(where: { $0 == "\0" || $0 == "\r" || $0 == "\n" || $0 == "#" }) else { return nil }
        var out: [Substring] = []
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (i, raw) in segments.enumerated() {
            let s = raw.contains("%") ? Substring(raw.replacingOccurrences(of: "%2e", with: ".", options: .caseInsensitive)) : raw
            let last = i == segments.count - 1
            switch s {
            case ".":
                if last { out.append("") }
            case "..":
                if !out.isEmpty { out.removeLast() }
                if last { out.append("") }
            default:
                out.append(raw)
            }
        }
        return "/" + out.joined(separator: "/") + query
    }
}
