extension Envoy {
    /// `envoy.filters.http.jwt_authn`'s config: providers by name, rules (a path match and a
    /// requirement), and whether CORS preflights pass untouched.
    public struct JWTAuthentication: Sendable, Equatable {
        static let typeURL = "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"

        public struct Rule: Sendable, Equatable {
            public var match: RouteMatch
            /// nil: the rule requires nothing.
            public var requires: JWTRequirement?

            public init(match: RouteMatch, requires: JWTRequirement?) {
                self.match = match
                self.requires = requires
            }
        }

        public var providers: [String: JWTProvider]
        public var rules: [Rule]
        public var bypassCorsPreflight: Bool?

        public init(providers: [String: JWTProvider], rules: [Rule], bypassCorsPreflight: Bool? = nil) {
            self.providers = providers
            self.rules = rules
            self.bypassCorsPreflight = bypassCorsPreflight
        }

        var value: Value {
            var o: [String: Value] = [
                "@type": .string(Self.typeURL),
                "providers": .object(providers.mapValues(\.value)),
                "rules": .array(
                    rules.map { rule in
                        var r: [String: Value] = ["match": rule.match.value]
                        if let requires = rule.requires { r["requires"] = requires.value }
                        return .object(r)
                    }),
            ]
            if let bypassCorsPreflight { o["bypass_cors_preflight"] = .bool(bypassCorsPreflight) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            try r.typeURL(Self.typeURL)
            providers = try r.map("providers", JWTProvider.init)
            rules = try r.objects("rules") { rule in
                Rule(
                    match: try rule.object("match", RouteMatch.init), requires: try rule.object(ifPresent: "requires", JWTRequirement.init))
            }
            bypassCorsPreflight = try r.bool(ifPresent: "bypass_cors_preflight")
        }
    }

    /// One JWT provider: issuer, audiences, where tokens are read, where its keys come from.
    public struct JWTProvider: Sendable, Equatable {
        public enum JWKS: Sendable, Equatable {
            case inline(String)
            /// `local_jwks.filename`: a file on this machine.
            case file(String)
            /// `remote_jwks`: fetched from `uri` through `cluster`.
            case remote(uri: String, cluster: String, timeout: Duration, cacheDuration: Duration?)
        }

        /// `from_headers` entry: a header and the prefix before the token.
        public struct HeaderLocation: Sendable, Equatable {
            public var name: String
            public var valuePrefix: String?
            public init(name: String, valuePrefix: String?) {
                self.name = name
                self.valuePrefix = valuePrefix
            }
        }

        public var issuer: String
        public var audiences: [String]
        public var jwks: JWKS?
        public var forward: Bool?
        /// The dynamic-metadata key the verified payload is kept under (RBAC reads it).
        public var payloadInMetadata: String?
        public var clearRouteCache: Bool?
        /// `normalize_payload_in_metadata.space_delimited_claims`.
        public var spaceDelimitedClaims: [String]?
        public var fromHeaders: [HeaderLocation]
        public var fromParams: [String]
        public var clockSkewSeconds: Int?

        public init(
            issuer: String, audiences: [String] = [], jwks: JWKS?, forward: Bool? = nil, payloadInMetadata: String? = nil,
            clearRouteCache: Bool? = nil, spaceDelimitedClaims: [String]? = nil, fromHeaders: [HeaderLocation] = [],
            fromParams: [String] = [], clockSkewSeconds: Int? = nil
        ) {
            self.issuer = issuer
            self.audiences = audiences
            self.jwks = jwks
            self.forward = forward
            self.payloadInMetadata = payloadInMetadata
            self.clearRouteCache = clearRouteCache
            self.spaceDelimitedClaims = spaceDelimitedClaims
            self.fromHeaders = fromHeaders
            self.fromParams = fromParams
            self.clockSkewSeconds = clockSkewSeconds
        }

        var value: Value {
            var o: [String: Value] = ["issuer": .string(issuer)]
            if !audiences.isEmpty { o["audiences"] = .array(audiences.map { .string($0) }) }
            switch jwks {
            case .inline(let text)?: o["local_jwks"] = ["inline_string": .string(text)]
            case .file(let path)?: o["local_jwks"] = ["filename": .string(path)]
            case .remote(let uri, let cluster, let timeout, let cache)?:
                var remote: [String: Value] = ["http_uri": ["uri": .string(uri), "cluster": .string(cluster), "timeout": timeout.value]]
                if let cache { remote["cache_duration"] = cache.value }
                o["remote_jwks"] = .object(remote)
            case nil: break
            }
            if let forward { o["forward"] = .bool(forward) }
            if let payloadInMetadata { o["payload_in_metadata"] = .string(payloadInMetadata) }
            if let clearRouteCache { o["clear_route_cache"] = .bool(clearRouteCache) }
            if let spaceDelimitedClaims {
                o["normalize_payload_in_metadata"] = ["space_delimited_claims": .array(spaceDelimitedClaims.map { .string($0) })]
            }
            if !fromHeaders.isEmpty {
                o["from_headers"] = .array(
                    fromHeaders.map { h in
                        var v: [String: Value] = ["name": .string(h.name)]
                        if let prefix = h.valuePrefix { v["value_prefix"] = .string(prefix) }
                        return .object(v)
                    })
            }
            if !fromParams.isEmpty { o["from_params"] = .array(fromParams.map { .string($0) }) }
            if let clockSkewSeconds { o["clock_skew_seconds"] = .int(clockSkewSeconds) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            issuer = try r.string(ifPresent: "issuer") ?? ""
            audiences = try r.strings("audiences")
            if r.has("local_jwks") || r.has("remote_jwks") {
                switch try r.oneOf(["local_jwks", "remote_jwks"]) {
                case "local_jwks":
                    jwks = try r.object("local_jwks") { l in
                        switch try l.oneOf(["inline_string", "filename"]) {
                        case "inline_string": .inline(try l.string("inline_string"))
                        default: .file(try l.string("filename"))
                        }
                    }
                default:
                    jwks = try r.object("remote_jwks") { remote in
                        let (uri, cluster, timeout) = try remote.object("http_uri") { h in
                            (try h.string("uri"), try h.string("cluster"), try h.duration("timeout"))
                        }
                        return .remote(
                            uri: uri, cluster: cluster, timeout: timeout, cacheDuration: try remote.duration(ifPresent: "cache_duration"))
                    }
                }
            } else {
                jwks = nil
            }
            forward = try r.bool(ifPresent: "forward")
            payloadInMetadata = try r.string(ifPresent: "payload_in_metadata")
            clearRouteCache = try r.bool(ifPresent: "clear_route_cache")
            spaceDelimitedClaims = try r.object(ifPresent: "normalize_payload_in_metadata") { try $0.strings("space_delimited_claims") }
            fromHeaders = try r.objects("from_headers") { h in
                HeaderLocation(name: try h.string("name"), valuePrefix: try h.string(ifPresent: "value_prefix"))
            }
            fromParams = try r.strings("from_params")
            clockSkewSeconds = try r.int(ifPresent: "clock_skew_seconds")
        }
    }

    /// A `requires` tree: a named provider, `allow_missing`, `allow_missing_or_failed`,
    /// `requires_any` and `requires_all`.
    public indirect enum JWTRequirement: Sendable, Equatable {
        case providerName(String)
        case allowMissing
        case allowMissingOrFailed
        case requiresAny([JWTRequirement])
        case requiresAll([JWTRequirement])

        var value: Value {
            switch self {
            case .providerName(let name): ["provider_name": .string(name)]
            case .allowMissing: ["allow_missing": [:]]
            case .allowMissingOrFailed: ["allow_missing_or_failed": [:]]
            case .requiresAny(let list): ["requires_any": ["requirements": .array(list.map(\.value))]]
            case .requiresAll(let list): ["requires_all": ["requirements": .array(list.map(\.value))]]
            }
        }

        init(_ r: EnvoyReader) throws {
            switch try r.oneOf(["provider_name", "allow_missing", "allow_missing_or_failed", "requires_any", "requires_all"]) {
            case "provider_name": self = .providerName(try r.string("provider_name"))
            case "allow_missing": try r.object("allow_missing") { _ in }; self = .allowMissing
            case "allow_missing_or_failed": try r.object("allow_missing_or_failed") { _ in }; self = .allowMissingOrFailed
            case "requires_any": self = .requiresAny(try r.object("requires_any") { try $0.objects("requirements", JWTRequirement.init) })
            default: self = .requiresAll(try r.object("requires_all") { try $0.objects("requirements", JWTRequirement.init) })
            }
        }
    }
}
