import Foundation
import ISVCCore

/// One `providers` entry of Envoy's `jwt_authn` filter, from the typed config `isvc compile --emit envoy` writes
/// (Istio's `origins-<n>`): issuer, audiences, where the token is read from, where the JWKS comes from,
/// whether the token is forwarded, and the dynamic-metadata key its payload is kept under.
struct JWTProvider: Sendable {
    /// Where a token is looked for: a header (with a value prefix) or a query parameter.
    enum Location: Sendable, Hashable {
        case header(name: String, prefix: String)
        case parameter(String)
    }

    enum JWKSSource: Sendable, Equatable {
        case inline(String)
        case file(String)
        /// `uri` fetched through `endpoint` (the cluster's address), kept for `cacheSeconds`.
        case remote(uri: String, endpoint: (host: String, port: Int)?, timeoutSeconds: Double, cacheSeconds: Double)

        static func == (a: Self, b: Self) -> Bool {
            switch (a, b) {
            case (.inline(let x), .inline(let y)), (.file(let x), .file(let y)): x == y
            case (.remote(let u, _, _, _), .remote(let v, _, _, _)): u == v
            default: false
            }
        }
    }

    let name: String
    let issuer: String
    let audiences: [String]
    let locations: [Location]
    let jwks: JWKSSource?
    let forward: Bool
    let payloadKey: String?
    let clockSkewSeconds: Int
    /// Claims Envoy splits on spaces into lists in the metadata (`normalize_payload_in_metadata`).
    let spaceDelimitedClaims: [String]

    init(name: String, config p: Envoy.JWTProvider, endpoints: [String: (host: String, port: Int)]) {
        self.name = name
        issuer = p.issuer
        audiences = p.audiences
        var locations: [Location] = p.fromHeaders.map { .header(name: $0.name.lowercased(), prefix: $0.valuePrefix ?? "") }
        locations += p.fromParams.map(Location.parameter)
        // Envoy's default locations: `Authorization: Bearer <token>` and `?access_token=`.
        if locations.isEmpty { locations = [.header(name: "authorization", prefix: "Bearer "), .parameter("access_token")] }
        self.locations = locations
        switch p.jwks {
        case .inline(let text)?: jwks = .inline(text)
        case .file(let path)?: jwks = .file(path)
        case .remote(let uri, let cluster, let timeout, let cache)?:
            // Envoy's default cache duration when unset: 600 s.
            jwks = .remote(
                uri: uri, endpoint: endpoints[cluster], timeoutSeconds: timeout.seconds ?? 1, cacheSeconds: cache?.seconds ?? 600)
        case nil: jwks = nil
        }
        forward = p.forward == true
        payloadKey = p.payloadInMetadata
        clockSkewSeconds = p.clockSkewSeconds.flatMap { $0 > 0 ? $0 : nil } ?? 60
        spaceDelimitedClaims = p.spaceDelimitedClaims ?? []
    }

    /// The payload as Envoy keeps it in dynamic metadata: space-delimited claims become lists.
    func metadataPayload(_ payload: Value) -> Value {
        var out = payload
        for claim in spaceDelimitedClaims {
            if let s = payload[claim]?.string {
                out[claim] = .array(s.split(separator: " ").map { .string(String($0)) })
            }
        }
        return out
    }
}
