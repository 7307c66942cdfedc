import Foundation

/// What the security filters see of a request, as Envoy's filters see its headers: `:authority`,
/// `:path` (with the query), `:method`, `:scheme` and the other headers in order.
public struct SecurityRequest: Sendable {
    public var host: String
    public var path: String
    public var method: String
    public var scheme: String
    public var headers: [(name: String, value: String)]

    public init(host: String, path: String, method: String, scheme: String = "http", headers: [(name: String, value: String)]) {
        self.host = host
        self.path = path
        self.method = method
        self.scheme = scheme
        self.headers = headers
    }

    /// All values of a header (names compare case-insensitively); pseudo-headers from the request line.
    func values(_ name: String) -> [String] {
        switch name.lowercased() {
        case ":authority", "host": return [host]
        case ":path": return [path]
        case ":method": return [method]
        case ":scheme": return [scheme]
        default: return headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    /// The first value of a query parameter, percent-decoded.
    func queryParameter(_ name: String) -> String? {
        guard let q = path.firstIndex(of: "?") else { return nil }
        let query = path[path.index(after: q)...].prefix { $0 != "#" }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            guard key == name else { continue }
            let value = parts.count > 1 ? String(parts[1]) : ""
            return value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
        }
        return nil
    }

    /// The path Envoy's RBAC `url_path` matches: without query or fragment, dot segments removed
    /// (the gateway's `normalize_path: true`).
    var normalizedPath: String {
        let bare = String(path.prefix { $0 != "?" && $0 != "#" })
        var out: [Substring] = []
        let segments = bare.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (i, segment) in segments.enumerated() {
            let last = i == segments.count - 1
            switch segment {
            case ".": if last { out.append("") }
            case "..":
                if !out.isEmpty { out.removeLast() }
                if last { out.append("") }
            default: out.append(segment)
            }
        }
        return "/" + out.joined(separator: "/")
    }

    /// Removes a token's location (a provider without `forward: true`): the whole header, or the parameter.
    mutating func remove(_ location: JWTProvider.Location) {
        switch location {
        case .header(let name, _):
            headers.removeAll { $0.name.lowercased() == name }
        case .parameter(let name):
            guard let q = path.firstIndex(of: "?") else { return }
            let kept = path[path.index(after: q)...].split(separator: "&").filter { pair in
                let key = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                return (String(key).removingPercentEncoding ?? String(key)) != name
            }
            path = String(path[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
        }
    }
}
