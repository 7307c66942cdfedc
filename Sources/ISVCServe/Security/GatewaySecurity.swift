import ISVCCore

/// The security filters of each gateway listener, from the same typed Envoy config the router reads
/// (`isvc compile --emit envoy`): `jwt_authn` then the RBAC filters, in the order the listener's HTTP
/// connection manager lists them. A listener without them lets everything through.
public struct GatewaySecurity: Sendable {
    enum Filter: Sendable {
        case jwt(JWTFilter)
        case rbac(RBACFilter)
    }

    /// What the filters decide for a request.
    public enum Verdict: Sendable {
        /// It goes on, as the filters leave it (tokens of providers without `forward` removed).
        case allowed(SecurityRequest)
        /// Envoy's local reply: its status, its body text and, from jwt_authn, `www-authenticate`.
        case denied(status: Int, message: String, wwwAuthenticate: String?)
    }

    let listeners: [Int: [Filter]]

    public init(bootstrap: Envoy.Bootstrap) {
        // Cluster name -> its first static endpoint, for JWKS fetched through a cluster.
        var endpoints: [String: (host: String, port: Int)] = [:]
        for c in bootstrap.clusters {
            if let address = c.firstEndpoint { endpoints[c.name] = (address.address, address.portValue) }
        }
        var listeners: [Int: [Filter]] = [:]
        for l in bootstrap.listeners {
            var filters: [Filter] = []
            for f in l.httpConnectionManager.httpFilters {
                switch f {
                case .jwtAuthn(let config): filters.append(.jwt(JWTFilter(config: config, endpoints: endpoints)))
                case .rbac(let config): filters.append(.rbac(RBACFilter(config: config)))
                case .fault, .cors, .router: continue
                }
            }
            if !filters.isEmpty { listeners[l.address.portValue] = filters }
        }
        self.listeners = listeners
    }

    /// No listener has security filters.
    public var isEmpty: Bool { listeners.isEmpty }

    /// Loads every inline and file JWKS, so a bad one is an error at start rather than 401s later.
    public func prepare() async throws(SecurityConfigError) {
        for filters in listeners.values {
            for case .jwt(let jwt) in filters { try await jwt.store.loadLocal() }
        }
    }

    /// Runs a request through a listener's filters.
    public func check(_ request: SecurityRequest, listener port: Int) async -> Verdict {
        guard let filters = listeners[port] else { return .allowed(request) }
        var request = request
        var payloads: [String: Value] = [:]
        for filter in filters {
            switch filter {
            case .jwt(let jwt):
                switch await jwt.check(request) {
                case .rejected(let failure):
                    return .denied(
                        status: failure.status, message: failure.message,
                        wwwAuthenticate: Self.challenge(request, failure: failure))
                case .passed(let verified, let after):
                    payloads.merge(verified) { _, new in new }
                    request = after
                }
            case .rbac(let rbac):
                if rbac.denial(request, payloads: payloads) != nil {
                    return .denied(status: 403, message: RBACFilter.deniedMessage, wwwAuthenticate: nil)
                }
            }
        }
        return .allowed(request)
    }

    /// Envoy's `www-authenticate` on a jwt_authn rejection: `Bearer realm="<scheme>://<host><path>"`
    /// (the path with its query, cut at 256 characters), plus `error="invalid_token"` unless the token
    /// was missing.
    static func challenge(_ request: SecurityRequest, failure: JWTFailure) -> String {
        let path = String(request.path.prefix(256))
        var value = "Bearer realm=\"\(request.scheme)://\(request.host)\(path)\""
        if failure != .missing { value += ", error=\"invalid_token\"" }
        return value
    }
}
