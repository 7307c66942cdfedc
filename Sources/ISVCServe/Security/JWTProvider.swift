import Foundation
import ISVCCore

/// One `providers` entry of Envoy's `jwt_authn` filter, as `isvc compile --emit envoy` writes it
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

    init(name: String, config p: Value, endpoints: [String: (host: String, port: Int)]) {
        self.name = name
        issuer = p["issuer"]?.string ?? ""
        audiences = p["audiences"]?.array?.compactMap(\.string) ?? []
        var locations: [Location] = (p["from_headers"]?.array ?? []).compactMap { h in
            h["name"]?.string.map { .header(name: $0.lowercased(), prefix: h["value_prefix"]?.string ?? "") }
        }
        locations += (p["from_params"]?.array ?? []).compactMap { $0.string.map(Location.parameter) }
        // Envoy's default locations: `Authorization: Bearer <token>` and `?access_token=`.
        if locations.isEmpty { locations = [.header(name: "authorization", prefix: "Bearer "), .parameter("access_token")] }
        self.locations = locations
        if let inline = p[path: ["local_jwks", "inline_string"]]?.string {
            jwks = .inline(inline)
        } else if let file = p[path: ["local_jwks", "filename"]]?.string {
            jwks = .file(file)
        } else if let uri = p[path: ["remote_jwks", "http_uri", "uri"]]?.string {
            let cluster = p[path: ["remote_jwks", "http_uri", "cluster"]]?.string ?? ""
            jwks = .remote(uri: uri, endpoint: endpoints[cluster],
                           timeoutSeconds: Self.seconds(p[path: ["remote_jwks", "http_uri", "timeout"]]?.string) ?? 1,
                           cacheSeconds: Self.seconds(p[path: ["remote_jwks", "cache_duration"]]?.string) ?? 600)
        } else {
            jwks = nil
        }
        forward = p["forward"] == .bool(true)
        payloadKey = p["payload_in_metadata"]?.string
        clockSkewSeconds = p["clock_skew_seconds"]?.int.flatMap { $0 > 0 ? $0 : nil } ?? 60
        spaceDelimitedClaims = p[path: ["normalize_payload_in_metadata", "space_delimited_claims"]]?.array?.compactMap(\.string) ?? []
    }

    /// Envoy durations as the config writes them ("5s", "1.5s").
    static func seconds(_ text: String?) -> Double? {
        guard let text, text.hasSuffix("s") else { return nil }
        return Double(text.dropLast())
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
