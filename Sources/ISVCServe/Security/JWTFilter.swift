import Foundation
import ISVCCore

/// Envoy's `envoy.filters.http.jwt_authn`, read from its config in the listener: the first rule whose
/// match fits the request gives the requirement; tokens are read from the providers' locations and
/// verified in Envoy's order (format, issuer, time with clock skew, audiences, JWKS, signature).
struct JWTFilter: Sendable {
    enum Outcome: Sendable {
        /// Passed: the verified payloads by metadata key; the request as it goes on (tokens of
        /// providers without `forward` removed).
        case passed(payloads: [String: Value], request: SecurityRequest)
        case rejected(JWTFailure)
    }

    let providers: [JWTProvider]
    let rules: [(match: RouteMatch, requirement: JWTRequirement?)]
    let bypassCORSPreflight: Bool
    let store: JWKSStore

    init(config: Envoy.JWTAuthentication, endpoints: [String: (host: String, port: Int)]) {
        providers = config.providers.keys.sorted().map { JWTProvider(name: $0, config: config.providers[$0]!, endpoints: endpoints) }
        rules = config.rules.map { rule in (RouteMatch(rule.match), rule.requires.map(JWTRequirement.init)) }
        bypassCORSPreflight = config.bypassCorsPreflight == true
        store = JWKSStore(providers: providers)
    }

    func check(_ request: SecurityRequest, now: Int = Int(Date().timeIntervalSince1970)) async -> Outcome {
        if bypassCORSPreflight, request.method == "OPTIONS", !request.values("origin").isEmpty,
            !request.values("access-control-request-method").isEmpty
        {
            return .passed(payloads: [:], request: request)
        }
        guard let rule = rules.first(where: { Self.matches($0.match, request) }), let requirement = rule.requirement else {
            return .passed(payloads: [:], request: request)
        }
        let state = VerificationState(request: request)
        let failure = await requirement.evaluate { leaf in await self.verify(leaf, state: state, now: now) }
        if let failure { return .rejected(failure) }
        return .passed(payloads: state.payloads, request: state.request)
    }

    /// A rule's route match on the path (prefix, path or regex) and its headers and query parameters.
    static func matches(_ match: RouteMatch, _ request: SecurityRequest) -> Bool {
        let path = String(request.path.prefix { $0 != "?" })
        let routing = GatewayRouter.Request(
            host: request.host, path: request.path, method: request.method, headers: request.headers,
            scheme: request.scheme)
        return match.matches(path: path, routing)
    }

    /// Payloads and token removals gathered while a requirement tree is evaluated.
    final class VerificationState: @unchecked Sendable {
        var payloads: [String: Value] = [:]
        var request: SecurityRequest
        let original: SecurityRequest
        init(request: SecurityRequest) { self.request = request; original = request }
    }

    /// One leaf: a named provider (its own locations and issuer), or allow_missing[_or_failed] (every
    /// provider's locations; the provider is found by the token's issuer).
    func verify(_ leaf: JWTRequirement, state: VerificationState, now: Int) async -> JWTFailure? {
        let candidates: [JWTProvider]
        switch leaf {
        case .provider(let name): candidates = providers.filter { $0.name == name }
        case .allowMissing, .allowMissingOrFailed: candidates = providers
        case .any, .all: return nil
        }
        if case .provider = leaf, candidates.isEmpty { return .unknownIssuer }
        let tokens = extract(from: state.original, providers: candidates)
        guard !tokens.isEmpty else { return leaf == .allowMissingOrFailed || leaf == .allowMissing ? nil : .missing }
        var last: JWTFailure?
        // Envoy verifies the last extracted token first and, with a named provider, stops at a failure.
        for (token, location, issuers) in tokens.reversed() {
            last = await verifyOne(token, location: location, issuers: issuers, candidates: candidates, state: state, now: now)
            if last != nil, case .provider = leaf { return last }
        }
        if leaf == .allowMissingOrFailed { return nil }
        return last
    }

    func verifyOne(
        _ text: String, location: JWTProvider.Location, issuers: Set<String>, candidates: [JWTProvider],
        state: VerificationState, now: Int
    ) async -> JWTFailure? {
        do {
            let token = try JWTToken(text)
            guard issuers.contains("") || issuers.contains(token.issuer) else { throw JWTFailure.unknownIssuer }
            guard let provider = candidates.first(where: { $0.issuer == token.issuer }) ?? candidates.first(where: { $0.issuer.isEmpty })
            else {
                throw JWTFailure.unknownIssuer
            }
            try token.checkTime(now: now, skew: provider.clockSkewSeconds)
            try token.checkAudiences(provider.audiences)
            let keys = try await store.keys(for: provider)
            try await keys.verify(token)
            if let key = provider.payloadKey { state.payloads[key] = provider.metadataPayload(token.payload) }
            if !provider.forward { state.request.remove(location) }
            return nil
        } catch let failure as JWTFailure {
            return failure
        } catch {
            return .verificationFails
        }
    }

    /// Tokens at the providers' locations, each with the issuers whose providers read that location.
    func extract(from request: SecurityRequest, providers: [JWTProvider]) -> [(String, JWTProvider.Location, Set<String>)] {
        var issuersAt: [JWTProvider.Location: Set<String>] = [:]
        var order: [JWTProvider.Location] = []
        for p in providers {
            for l in p.locations {
                if issuersAt[l] == nil { order.append(l) }
                issuersAt[l, default: []].insert(p.issuer)
            }
        }
        var tokens: [(String, JWTProvider.Location, Set<String>)] = []
        // Envoy looks at header locations first, then query parameters.
        for location in order {
            guard case .header(let name, let prefix) = location else { continue }
            for value in request.values(name) {
                guard let token = Self.token(in: value, after: prefix) else { continue }
                tokens.append((token, location, issuersAt[location] ?? []))
            }
        }
        for location in order {
            guard case .parameter(let name) = location, let value = request.queryParameter(name) else { continue }
            tokens.append((value, location, issuersAt[location] ?? []))
        }
        return tokens
    }

    /// Envoy's header extraction: the value prefix anywhere in the value (case-sensitive), then the
    /// token from the first Base64url or dot character after it; without a prefix, the whole value.
    static func token(in value: String, after prefix: String) -> String? {
        guard !prefix.isEmpty else { return value }
        guard let range = value.range(of: prefix) else { return nil }
        let rest = value[range.upperBound...]
        guard let start = rest.firstIndex(where: { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            return value
        }
        return String(rest[start...])
    }
}
