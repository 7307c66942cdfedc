/// Why Envoy's `jwt_authn` filter rejects a request, with the text Envoy answers (jwt_verify_lib's
/// status strings) and its status code: 403 for audiences that are not allowed, 401 for all else.
public enum JWTFailure: Error, Sendable, Equatable {
    case missing
    case badFormat
    case headerBadBase64
    case headerBadJSON
    case headerBadAlg
    case headerAlgNotSupported
    case headerBadKid
    case payloadBadBase64
    case payloadBadJSON
    /// A registered claim of the wrong type: `iss`, `sub`, `jti` not strings, `aud` not a string or
    /// list of strings, `iat`/`nbf`/`exp` not integers or negative.
    case payloadBadClaim(String)
    case signatureBadBase64
    case unknownIssuer
    case notYetValid
    case expired
    case audienceNotAllowed
    case verificationFails
    case kidAlgMismatch
    case noValidKeys
    case jwksFetchFailed

    /// Envoy's response body for this failure (`getStatusString`).
    public var message: String {
        switch self {
        case .missing: "Jwt is missing"
        case .badFormat: "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"
        case .headerBadBase64: "Jwt header is an invalid Base64url encoded"
        case .headerBadJSON: "Jwt header is an invalid JSON"
        case .headerBadAlg: "Jwt header [alg] field is required and must be a string"
        case .headerAlgNotSupported: "Jwt header [alg] is not supported"
        case .headerBadKid: "Jwt header [kid] field is not a string"
        case .payloadBadBase64: "Jwt payload is an invalid Base64url encoded"
        case .payloadBadJSON: "Jwt payload is an invalid JSON"
        case .payloadBadClaim(let claim):
            switch claim {
            case "aud": "Jwt payload [aud] field is not a string or string list"
            case "iat", "nbf", "exp": "Jwt payload [\(claim)] field is not an integer"
            default: "Jwt payload [\(claim)] field is not a string"
            }
        case .signatureBadBase64: "Jwt signature is an invalid Base64url encoded"
        case .unknownIssuer: "Jwt issuer is not configured"
        case .notYetValid: "Jwt not yet valid"
        case .expired: "Jwt is expired"
        case .audienceNotAllowed: "Audiences in Jwt are not allowed"
        case .verificationFails: "Jwt verification fails"
        case .kidAlgMismatch: "Jwks doesn't have key to match kid or alg from Jwt"
        case .noValidKeys: "Jwks doesn't have any valid public key"
        case .jwksFetchFailed: "Jwks remote fetch is failed"
        }
    }

    /// Envoy answers 403 for a token whose audiences are not allowed, 401 otherwise.
    public var status: Int { self == .audienceNotAllowed ? 403 : 401 }

    /// Only a missing token counts as "no token" when a `requires_any` is aggregated: a token from an
    /// issuer no provider names is rejected (401 `Jwt issuer is not configured`, checked against Envoy
    /// 1.40 with the emitted config).
    var isAbsence: Bool { self == .missing }
}
