import ISVCCore

/// One node of an Envoy RBAC permission or principal tree, compiled from the typed config:
/// `any`, `and_rules`/`and_ids`, `or_rules`/`or_ids`, `not_rule`/`not_id`, `header`, `url_path` and
/// dynamic `metadata` (the JWT payloads).
indirect enum RBACMatcher: Sendable, Equatable {
    case any
    case and([RBACMatcher])
    case or([RBACMatcher])
    case not(RBACMatcher)
    case header(name: String, test: HeaderTest, invert: Bool)
    case urlPath(StringMatcher)
    case metadata(filter: String, path: [String], match: ValueMatch)

    indirect enum ValueMatch: Sendable, Equatable {
        case string(StringMatcher)
        case present(Bool)
        case bool(Bool)
        case oneOf(ValueMatch)

        init(_ m: Envoy.ValueMatcher) {
            switch m {
            case .stringMatch(let s): self = .string(StringMatcher(s))
            case .presentMatch(let b): self = .present(b)
            case .boolMatch(let b): self = .bool(b)
            case .listOneOf(let inner): self = .oneOf(ValueMatch(inner))
            }
        }
    }

    init(permission p: Envoy.Permission) {
        switch p {
        case .any: self = .any
        case .andRules(let l): self = .and(l.map(RBACMatcher.init(permission:)))
        case .orRules(let l): self = .or(l.map(RBACMatcher.init(permission:)))
        case .notRule(let inner): self = .not(RBACMatcher(permission: inner))
        case .header(let h): self = RBACMatcher(header: h)
        case .urlPath(let m): self = .urlPath(StringMatcher(m))
        }
    }

    init(principal p: Envoy.Principal) {
        switch p {
        case .any: self = .any
        case .andIds(let l): self = .and(l.map(RBACMatcher.init(principal:)))
        case .orIds(let l): self = .or(l.map(RBACMatcher.init(principal:)))
        case .notId(let inner): self = .not(RBACMatcher(principal: inner))
        case .header(let h): self = RBACMatcher(header: h)
        case .urlPath(let m): self = .urlPath(StringMatcher(m))
        case .metadata(let m):
            let node = RBACMatcher.metadata(filter: m.filter, path: m.path, match: ValueMatch(m.value))
            self = m.invert ? .not(node) : node
        }
    }

    init(header h: Envoy.HeaderMatcher) {
        self = .header(name: h.name.lowercased(), test: HeaderTest(h.test), invert: h.invertMatch)
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
        }
    }

    static func matches(_ match: ValueMatch, _ value: Value) -> Bool {
        switch match {
        case .string(let sm): return value.string.map(sm.matches) ?? false
        case .present(let wanted): return (value != .null) == wanted
        case .bool(let b): return value == .bool(b)
        case .oneOf(let inner): return value.array?.contains { matches(inner, $0) } ?? false
        }
    }
}
