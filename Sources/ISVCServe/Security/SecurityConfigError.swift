/// Security settings `isvc serve` cannot start with; each names what to fix.
public enum SecurityConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A JWT provider's inline or file JWKS does not hold a usable key.
    case badJWKS(provider: String, issuer: String, reason: String)
    case unreadableJWKS(provider: String, path: String)
    /// A Gateway server terminates TLS (`tls.mode: SIMPLE`) but no certificate and key were given.
    case tlsFilesMissing(gateway: String, server: String)
    /// Only one of `--tls-cert` and `--tls-key`.
    case tlsHalfGiven
    /// The certificate chain or the private key could not be read.
    case unreadableTLSFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .badJWKS(let provider, let issuer, let reason):
            "JWT provider \(provider) (issuer \(issuer)): its JWKS is not usable: \(reason)"
        case .unreadableJWKS(let provider, let path):
            "JWT provider \(provider): cannot read the JWKS file \(path)"
        case .tlsFilesMissing(let gateway, let server):
            "Gateway \(gateway) server \(server) terminates TLS (tls.mode SIMPLE): give --tls-cert and --tls-key (PEM files)"
        case .tlsHalfGiven:
            "--tls-cert and --tls-key go together"
        case .unreadableTLSFile(let path, let reason):
            "cannot read \(path) as PEM: \(reason)"
        }
    }
}
