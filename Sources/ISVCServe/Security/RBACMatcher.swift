import ISVCCore

/// One node of an Envoy RBAC permission or principal tree, as `isvc compile --emit envoy` writes
/// them from AuthorizationPolicies: `any`, `and_rules`/`and_ids`, `or_rules`/`or_ids`,
/// `not_rule`/`not_id`, `header`, `url_path` and dynamic `metadata` (the JWT payloads).
indirect enum RBACMatcher: Sendable, Equatable {
    case any
    case and([RBACMatcher])
    case or([RBACMatcher])
    case not(RBACMatcher)
    case header(name: String, test: HeaderTest, invert: Bool)
    case urlPath(StringMatcher)
    case metadata(filter: String, path: [String], match: ValueMatch)
    /// A node isvc cannot read: matches when `value` says (true in DENY policies, false in ALLOW
    /// policies, so both fail closed).
    case unknown(Bool)

    indirect enum ValueMatch: Sendable, Equatable {
        case string(StringMatcher)
        case present
        case bool(Bool)
        case oneOf(ValueMatch)
        case unknown
    }

    /// Reads a permission (`rules` names) or principal (`ids` names) node.
    init(_ v: Value, unknownMatches: Bool) {
        func list(_ key: String, _ inner: String) -> [RBACMatcher]? {
            v[path: [key, inner]]?.array?.map { RBACMatcher($0, unknownMatches: unknownMatches) }
        }
        if v["any"] == .bool(true) { self = .any }
        else if let l = list("and_rules", "rules") ?? list("and_ids", "ids") { self = .and(l) }
        else if let l = list("or_rules", "rules") ?? list("or_ids", "ids") { self = .or(l) }
        else if let inner = v["not_rule"] ?? v["not_id"] { self = .not(RBACMatcher(inner, unknownMatches: !unknownMatches)) }
        else if let h = v["header"], let name = h["name"]?.string {
            let test = HeaderTest(h)
            if test == .unknown { self = .unknown(unknownMatches); return }
            self = .header(name: name.lowercased(), test: test, invert: h["invert_match"] == .bool(true))
        } else if let path = v[path: ["url_path", "path"]] {
            self = .urlPath(StringMatcher(path))
        } else if let m = v["metadata"], let filter = m["filter"]?.string {
            let keys = (m["path"]?.array ?? []).compactMap { $0["key"]?.string }
            let match = Self.valueMatch(m["value"] ?? [:])
            if match == .unknown { self = .unknown(unknownMatches); return }
            if m["invert"] == .bool(true) { self = .not(.metadata(filter: filter, path: keys, match: match)); return }
            self = .metadata(filter: filter, path: keys, match: match)
        } else {
            self = .unknown(unknownMatches)
        }
    }

    static func valueMatch(_ v: Value) -> ValueMatch {
        if let sm = v["string_match"] { return .string(StringMatcher(sm)) }
        if v["present_match"] == .bool(true) { return .present }
        if case .bool(let b)? = v["bool_match"] { return .bool(b) }
        if let inner = v[path: ["list_match", "one_of"]] { return .oneOf(valueMatch(inner)) }
        return .unknown
    }

    /// Whether the request (with the JWT payloads verified for it, by metadata key) matches.
    func matches(_ request: SecurityRequest, payloads: [String: Value]) -> Bool {
        switch self {
        case .any: return true
        case .and(let all): return all.allSatisfy { $0.matches(request, payloads: payloads) }
        case .or(let some): return some.contains { $0.matches(request, payloads: payloads) }
        case .not(let inner): return !inner.matches(request, payloads: payloads)
        case .header(let name, let test, let invert):
            // Envoy joins repeated headers with commas before matching.
            let values = request.values(name)
            return test.holds(for: values.isEmpty ? nil : values.joined(separator: ","), invert: invert)
        case .urlPath(let sm):
            return sm.matches(request.normalizedPath)
        case .metadata(let filter, let path, let match):
            guard filter == "envoy.filters.http.jwt_authn", let first = path.first, var value = payloads[first] else { return false }
            for key in path.dropFirst() {
                guard let next = value[key] else { return false }
                value = next
            }
            return Self.matches(match, value)
        case .unknown(let verdict):
            return verdict
        }
    }

    static func matches(_ match: ValueMatch, _ value: Value) -> Bool {
        switch match {
        case .string(let sm): return value.string.map(sm.matches) ?? false
        case .present: return value != .null
        case .bool(let b): return value == .bool(b)
        case .oneOf(let inner): return value.array?.contains { matches(inner, $0) } ?? false
        case .unknown: return false
        }
    }
}
