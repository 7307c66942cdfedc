import Foundation
import ISVCCore
import JWTKit

/// A JWKS as Envoy holds it: the keys it could read, each with its `kid`, `alg` and `kty`, and a
/// jwt-kit verifier for it. Keys jwt-kit cannot read are left out (Envoy skips them too); a set with
/// no usable key at all is an error.
struct JWKSet: Sendable {
    struct Key: Sendable {
        let kid: String?
        let alg: String?
        let kty: String
        /// Per JWT algorithm, a collection holding only this key, so its signer is built once: one
        /// algorithm for a key that names its `alg`, each algorithm of its type for one that does not.
        let verifiers: [String: JWTKeyCollection]
    }

    /// Algorithms a key without `alg` may verify, by key type.
    static let candidates: [String: [String]] = [
        "RSA": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
        "EC": ["ES256", "ES384", "ES512"], "oct": ["HS256", "HS384", "HS512"],
        "OKP": ["EdDSA"],
    ]

    enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case notJSON, noKeys, keysNotArray, noValidKeys
        /// jwt_verify_lib's wording.
        var description: String {
            switch self {
            case .notJSON: "Jwks is an invalid JSON"
            case .noKeys: "Jwks does not have [keys] field"
            case .keysNotArray: "[keys] in Jwks is not an array"
            case .noValidKeys: "Jwks doesn't have any valid public key"
            }
        }
    }

    let keys: [Key]

    static func parse(_ text: String) async throws(ParseError) -> JWKSet {
        guard let root = JSONValue.parse(Array(text.utf8)), root.object != nil else { throw .notJSON }
        guard let keysValue = root["keys"] else { throw .noKeys }
        guard let list = keysValue.array else { throw .keysNotArray }
        var keys: [Key] = []
        for (i, var jwk) in list.enumerated() {
            guard jwk.object != nil, let kty = jwk["kty"]?.string, Self.families[kty] != nil else { continue }
            let kid = jwk["kid"]?.string
            // jwt-kit files keys by kid; a key without one gets a name of its own here.
            if kid == nil { jwk["kid"] = .string("isvc-unnamed-\(i)") }
            let alg = jwk["alg"]?.string
            var verifiers: [String: JWTKeyCollection] = [:]
            for candidate in alg.map({ [$0] }) ?? Self.candidates[kty] ?? [] {
                var named = jwk
                named["alg"] = .string(candidate)
                guard let decoded = try? JSONDecoder().decode(JWK.self, from: Data(JSONWriter.write(named).utf8)) else { continue }
                let collection = JWTKeyCollection()
                guard (try? await collection.add(jwk: decoded)) != nil else { continue }
                verifiers[candidate] = collection
            }
            guard !verifiers.isEmpty else { continue }
            keys.append(Key(kid: kid, alg: alg, kty: kty, verifiers: verifiers))
        }
        guard !keys.isEmpty else { throw .noValidKeys }
        return JWKSet(keys: keys)
    }

    /// Which JWT algorithms a key type verifies (Envoy checks the family before verifying).
    static let families: [String: [String]] = ["RSA": ["RS", "PS"], "EC": ["ES"], "oct": ["HS"], "OKP": ["EdDSA"]]

    /// Envoy's `verifyJwtWithoutTimeChecking`: keys whose `kid` (when both name one) and `alg` (when
    /// the key names one) match the token are tried in order; none matching is a kid/alg mismatch,
    /// matching ones that all fail is a failed verification.
    func verify(_ token: JWTToken) async throws(JWTFailure) {
        var matched = false
        for key in keys {
            if let want = token.kid, !want.isEmpty, let have = key.kid, !have.isEmpty, want != have { continue }
            if let alg = key.alg, !alg.isEmpty, alg != token.alg { continue }
            matched = true
            guard Self.families[key.kty]?.contains(where: { token.alg.hasPrefix($0) }) == true else { continue }
            guard let verifier = key.verifiers[token.alg] else { continue }
            if (try? await verifier.verify(token.text, as: OpaquePayload.self)) != nil { return }
        }
        throw matched ? .verificationFails : .kidAlgMismatch
    }
}

/// A payload jwt-kit hands back unread: the claims are read and checked by `JWTToken` as Envoy does.
struct OpaquePayload: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
