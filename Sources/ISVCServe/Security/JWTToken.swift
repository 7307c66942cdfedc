import ISVCCore

/// A JWT split and read as Envoy's jwt_verify_lib reads it (`Jwt::parseFromString`): three sections,
/// a header with a supported `alg`, a JSON payload whose registered claims have the right types, and
/// a Base64url signature. The signature itself is checked later, against the provider's JWKS.
struct JWTToken: Sendable {
    /// Algorithms Envoy verifies.
    static let algorithms: Set<String> = [
        "ES256", "ES384", "ES512", "HS256", "HS384", "HS512",
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA",
    ]

    let text: String
    let alg: String
    let kid: String?
    let payload: Value
    let issuer: String
    let subject: String?
    let audiences: [String]
    let notBefore: Int?
    let expires: Int?

    init(_ text: String) throws(JWTFailure) {
        self.text = text
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .badFormat }
        guard let headerBytes = Base64URL.decode(parts[0]) else { throw .headerBadBase64 }
        guard let header = JSONValue.parse(headerBytes), header.object != nil else { throw .headerBadJSON }
        guard let alg = header["alg"]?.string else { throw .headerBadAlg }
        guard Self.algorithms.contains(alg) else { throw .headerAlgNotSupported }
        self.alg = alg
        if let kid = header["kid"] {
            guard let s = kid.string else { throw .headerBadKid }
            self.kid = s
        } else {
            kid = nil
        }
        guard let payloadBytes = Base64URL.decode(parts[1]) else { throw .payloadBadBase64 }
        guard let payload = JSONValue.parse(payloadBytes), payload.object != nil else { throw .payloadBadJSON }
        self.payload = payload
        issuer = try Self.string(payload, "iss") ?? ""
        subject = try Self.string(payload, "sub")
        _ = try Self.string(payload, "jti")
        _ = try Self.seconds(payload, "iat")
        notBefore = try Self.seconds(payload, "nbf")
        expires = try Self.seconds(payload, "exp")
        switch payload["aud"] {
        case nil: audiences = []
        case .string(let s)?: audiences = [s]
        case .array(let list)?:
            let strings = list.compactMap(\.string)
            guard strings.count == list.count else { throw .payloadBadClaim("aud") }
            audiences = strings
        default: throw .payloadBadClaim("aud")
        }
        guard Base64URL.decode(parts[2]) != nil else { throw .signatureBadBase64 }
    }

    static func string(_ payload: Value, _ claim: String) throws(JWTFailure) -> String? {
        guard let v = payload[claim] else { return nil }
        guard let s = v.string else { throw .payloadBadClaim(claim) }
        return s
    }

    /// A NumericDate claim: a non-negative integer (a whole Double is accepted, as JSON has one number type).
    static func seconds(_ payload: Value, _ claim: String) throws(JWTFailure) -> Int? {
        switch payload[claim] {
        case nil: return nil
        case .int(let i)? where i >= 0: return i
        case .double(let d)? where d >= 0 && d < 9.2e18 && d.rounded() == d: return Int(d)
        default: throw .payloadBadClaim(claim)
        }
    }

    /// Envoy's time check (`verifyTimeConstraint`): `nbf` may lie up to `skew` seconds ahead, `exp` up
    /// to `skew` seconds behind; `exp` 0 or absent never expires.
    func checkTime(now: Int, skew: Int) throws(JWTFailure) {
        if let nbf = notBefore, nbf > 0, now + skew < nbf { throw .notYetValid }
        // now - skew, not exp + skew: `exp` comes from the token, and 2^63 - 1 overflowed (a trap
        // of the whole gateway, before the signature was even looked at).
        if let exp = expires, exp > 0, now - skew > exp { throw .expired }
    }

    /// Envoy's audience check (`CheckAudience`): with configured audiences, one of the token's must be
    /// among them, compared without an `http://`/`https://` prefix and a trailing slash.
    func checkAudiences(_ allowed: [String]) throws(JWTFailure) {
        guard !allowed.isEmpty else { return }
        let wanted = Set(allowed.map(Self.sanitized))
        guard audiences.contains(where: { wanted.contains(Self.sanitized($0)) }) else { throw .audienceNotAllowed }
    }

    static func sanitized(_ audience: String) -> String {
        var s = Substring(audience)
        for scheme in ["http://", "https://"] where s.hasPrefix(scheme) { s = s.dropFirst(scheme.count) }
        if s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }
}
