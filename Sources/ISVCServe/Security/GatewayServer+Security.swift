import HTTPTypes
import Hummingbird
import ISVCCore
import NIOCore

/// `isvc serve`'s gateway running the listeners' security filters before routing, as Envoy runs
/// `jwt_authn` and RBAC before the router: a denied request is answered here and never reaches a model.
extension GatewayServer {
    /// The outcome of the entry listener's filters: the request to route, or the answer.
    public enum Admission: Sendable {
        case admitted(Request)
        case denied(Response)

        public var denial: Response? {
            if case .denied(let r) = self { return r }
            return nil
        }

        public var request: Request? {
            if case .admitted(let r) = self { return r }
            return nil
        }
    }

    /// The entry listener's filters (the external one, or the cluster-local one for an internal host);
    /// `scheme` is the listener's (`https` on the TLS listener), for Envoy's `www-authenticate` realm.
    public func admit(_ request: Request, asHost internalHost: String?, scheme: String = "http") async -> Admission {
        let security = plan.security
        let port = internalHost == nil ? plan.router.externalPort : (plan.router.localPort ?? plan.router.externalPort)
        guard !security.isEmpty else { return .admitted(request) }
        let view = Self.securityView(request, host: internalHost ?? request.head.authority ?? "", scheme: scheme)
        switch await security.check(view, listener: port) {
        case .denied(let status, let message, let challenge):
            logger.info("\(request.method.rawValue) \(view.host)\(view.path): \(status) \(message)")
            return .denied(Self.securityDenial(status: status, message: message, wwwAuthenticate: challenge))
        case .allowed(let after):
            guard after.path != view.path || after.headers.count != view.headers.count else { return .admitted(request) }
            var head = request.head
            head.path = after.path
            let kept = Set(after.headers.map { $0.name.lowercased() })
            let removed = Set(view.headers.map { $0.name.lowercased() }).subtracting(kept)
            head.headerFields = HTTPFields(request.headers.filter { !removed.contains($0.name.canonicalName) })
            return .admitted(Request(head: head, body: request.body))
        }
    }

    /// The filters of the listeners a routed request hops through after its entry (KServe's top-level
    /// route reaches the revisions through the local gateway, the same pods, which check it again).
    public func admitHops(_ decision: GatewayRouter.Decision) async -> Response? {
        let security = plan.security
        guard !security.isEmpty, decision.hops.count > 1 else { return nil }
        let r = decision.request
        let view = SecurityRequest(
            host: r.host, path: r.path, method: r.method, scheme: "http",
            headers: r.headers.filter { $0.name.lowercased() != "host" })
        for hop in decision.hops.dropFirst() {
            let port = hop.listenerPort
            if case .denied(let status, let message, let challenge) = await security.check(view, listener: port) {
                logger.info("\(r.method) \(r.host)\(r.path) at listener \(port): \(status) \(message)")
                return Self.securityDenial(status: status, message: message, wwwAuthenticate: challenge)
            }
        }
        return nil
    }

    static func securityView(_ request: Request, host: String, scheme: String) -> SecurityRequest {
        var headers: [(name: String, value: String)] = []
        for field in request.headers where field.name.canonicalName != "host" {
            headers.append((field.name.rawName, field.value))
        }
        return SecurityRequest(
            host: host, path: request.uri.description, method: request.method.rawValue,
            scheme: scheme, headers: headers)
    }

    /// Envoy's local reply as JSON (`{"error": "<Envoy's text>"}`; Envoy's own body is that text, plain).
    static func securityDenial(status: Int, message: String, wwwAuthenticate: String?) -> Response {
        var response = json(.init(code: status), message)
        if let challenge = wwwAuthenticate { response.headers[.wwwAuthenticate] = challenge }
        return response
    }
}
