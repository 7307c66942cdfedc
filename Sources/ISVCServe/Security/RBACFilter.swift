import ISVCCore

/// Envoy's `envoy.filters.http.rbac` with its `rules`: an ALLOW filter lets through only requests some
/// policy matches, a DENY filter stops those some policy matches. A policy matches when one of its
/// permissions and one of its principals match. Envoy answers a denial 403 `RBAC: access denied`.
struct RBACFilter: Sendable {
    enum Action: String, Sendable { case allow = "ALLOW", deny = "DENY", log = "LOG" }

    struct Policy: Sendable {
        let name: String
        let permissions: [RBACMatcher]
        let principals: [RBACMatcher]

        func matches(_ request: SecurityRequest, payloads: [String: Value]) -> Bool {
            permissions.contains { $0.matches(request, payloads: payloads) }
                && principals.contains { $0.matches(request, payloads: payloads) }
        }
    }

    static let deniedMessage = "RBAC: access denied"

    let action: Action
    let policies: [Policy]

    init(config: Envoy.RBAC) {
        switch config.action ?? .allow {
        case .allow: action = .allow
        case .deny: action = .deny
        case .log: action = .log
        }
        policies = config.policies.keys.sorted().map { name in
            let p = config.policies[name]!
            return Policy(
                name: name, permissions: p.permissions.map(RBACMatcher.init(permission:)),
                principals: p.principals.map(RBACMatcher.init(principal:)))
        }
    }

    /// The policy that decides a denial (for logs), or nil when the request may go on.
    func denial(_ request: SecurityRequest, payloads: [String: Value]) -> String? {
        let matched = policies.first { $0.matches(request, payloads: payloads) }
        switch action {
        case .allow: return matched == nil ? "no ALLOW policy matched" : nil
        case .deny: return matched.map { "DENY policy \($0.name)" }
        case .log: return nil
        }
    }
}
