import ISVCCore

/// An Envoy route's `match`, compiled once when the router is built: the path condition (`prefix`,
/// `path`, `safe_regex`), then every `headers` and `query_parameters` condition.
struct RouteMatch: Sendable {
    enum PathCondition: Sendable, Equatable {
        case prefix(String)
        case exact(String)
        case regex(String)
        /// `path_separated_prefix`: the prefix itself, or the prefix followed by `/`.
        case separatedPrefix(String)
    }

    struct HeaderCondition: Sendable {
        enum Source: Sendable, Equatable { case authority, method, path, scheme, header(String) }
        var source: Source
        var test: HeaderTest
        var invert: Bool
        var missingAsEmpty: Bool
    }

    struct QueryCondition: Sendable {
        var name: String
        var test: HeaderTest
    }

    var path: PathCondition
    /// `case_sensitive: false` (Istio's `ignoreUriCase`): `prefix` and `path` compare without case.
    var caseSensitive: Bool
    var headers: [HeaderCondition]
    var queryParameters: [QueryCondition]

    init(_ match: Envoy.RouteMatch) {
        switch match.path {
        case .prefix(let p): path = .prefix(p)
        case .path(let p): path = .exact(p)
        case .safeRegex(let r): path = .regex(r)
        case .pathSeparatedPrefix(let p): path = .separatedPrefix(p)
        }
        caseSensitive = match.caseSensitive ?? true
        headers = match.headers.map { h in
            let source: HeaderCondition.Source
            switch h.name.lowercased() {
            case ":authority", "host": source = .authority
            case ":method": source = .method
            case ":path": source = .path
            case ":scheme": source = .scheme
            default: source = .header(h.name)
            }
            return HeaderCondition(
                source: source, test: HeaderTest(h.test), invert: h.invertMatch, missingAsEmpty: h.treatMissingHeaderAsEmpty)
        }
        // A query parameter matcher with a name only matches when the parameter is there.
        queryParameters = match.queryParameters.map { q in QueryCondition(name: q.name, test: q.test.map(HeaderTest.init) ?? .present(true))
        }
    }

    /// Whether the request matches; `path` is the request path without its query string.
    func matches(path requestPath: String, _ request: GatewayRouter.Request) -> Bool {
        switch path {
        case .prefix(let p):
            if caseSensitive ? !requestPath.hasPrefix(p) : !requestPath.lowercased().hasPrefix(p.lowercased()) { return false }
        case .exact(let p):
            if caseSensitive ? requestPath != p : requestPath.lowercased() != p.lowercased() { return false }
        case .regex(let r): if !StringMatcher.fullMatch(r, requestPath) { return false }
        case .separatedPrefix(let p):
            if !Self.separatedPrefix(p, of: caseSensitive ? requestPath : requestPath.lowercased(), caseSensitive: caseSensitive) {
                return false
            }
        }
        for h in headers {
            let value: String?
            switch h.source {
            case .authority: value = request.host
            case .method: value = request.method
            case .path: value = request.path
            case .scheme: value = request.scheme
            case .header(let name): value = request.joinedHeader(name)
            }
            if !h.test.holds(for: value, invert: h.invert, missingAsEmpty: h.missingAsEmpty) { return false }
        }
        for q in queryParameters where !q.test.holds(for: Self.query(request.path, q.name), invert: false) {
            return false
        }
        return true
    }

    /// Whether `path` is `prefix` or continues it after a `/` (`/v1` matches `/v1` and `/v1/x`, not `/v1x`).
    static func separatedPrefix(_ prefix: String, of path: String, caseSensitive: Bool = true) -> Bool {
        let p = caseSensitive ? prefix : prefix.lowercased()
        guard path.hasPrefix(p) else { return false }
        let rest = path.utf8.dropFirst(p.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "/")
    }

    /// The first value of a query parameter, as sent (Envoy matches the undecoded value); nil when absent.
    static func query(_ pathAndQuery: String, _ name: String) -> String? {
        guard let q = pathAndQuery.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if kv.first.map(String.init) == name { return kv.count > 1 ? String(kv[1]) : "" }
        }
        return nil
    }
}
