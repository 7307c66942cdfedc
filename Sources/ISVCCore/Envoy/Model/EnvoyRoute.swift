extension Envoy {
    /// `config.route.v3.Route`: a match, the route action, header operations and the fault filter's
    /// per-route config. isvc writes only route actions (no redirects or direct responses).
    public struct Route: Sendable, Equatable {
        public var name: String?
        public var match: RouteMatch
        public var route: RouteAction
        public var requestHeadersToAdd: [HeaderValueOption]
        public var requestHeadersToRemove: [String]
        public var responseHeadersToAdd: [HeaderValueOption]
        public var responseHeadersToRemove: [String]
        /// `typed_per_filter_config["envoy.filters.http.fault"]`.
        public var fault: HTTPFault?

        public init(
            name: String? = nil, match: RouteMatch, route: RouteAction, requestHeadersToAdd: [HeaderValueOption] = [],
            requestHeadersToRemove: [String] = [], responseHeadersToAdd: [HeaderValueOption] = [],
            responseHeadersToRemove: [String] = [], fault: HTTPFault? = nil
        ) {
            self.name = name
            self.match = match
            self.route = route
            self.requestHeadersToAdd = requestHeadersToAdd
            self.requestHeadersToRemove = requestHeadersToRemove
            self.responseHeadersToAdd = responseHeadersToAdd
            self.responseHeadersToRemove = responseHeadersToRemove
            self.fault = fault
        }

        public var value: Value {
            var o: [String: Value] = ["match": match.value, "route": route.value]
            if let name { o["name"] = .string(name) }
            if !requestHeadersToAdd.isEmpty { o["request_headers_to_add"] = .array(requestHeadersToAdd.map(\.value)) }
            if !requestHeadersToRemove.isEmpty { o["request_headers_to_remove"] = .array(requestHeadersToRemove.map { .string($0) }) }
            if !responseHeadersToAdd.isEmpty { o["response_headers_to_add"] = .array(responseHeadersToAdd.map(\.value)) }
            if !responseHeadersToRemove.isEmpty { o["response_headers_to_remove"] = .array(responseHeadersToRemove.map { .string($0) }) }
            if let fault { o["typed_per_filter_config"] = ["envoy.filters.http.fault": fault.value] }
            return .object(o)
        }

        public init(decoding value: Value) throws { self = try EnvoyReader.read(value, path: "route", Route.init) }

        init(_ r: EnvoyReader) throws {
            name = try r.string(ifPresent: "name")
            match = try r.object("match", RouteMatch.init)
            route = try r.object("route", RouteAction.init)
            requestHeadersToAdd = try r.objects("request_headers_to_add", HeaderValueOption.init)
            requestHeadersToRemove = try r.strings("request_headers_to_remove")
            responseHeadersToAdd = try r.objects("response_headers_to_add", HeaderValueOption.init)
            responseHeadersToRemove = try r.strings("response_headers_to_remove")
            fault = try r.object(ifPresent: "typed_per_filter_config") { t in
                try t.object("envoy.filters.http.fault", HTTPFault.init)
            }
        }
    }

    /// `config.route.v3.RouteMatch`: the path condition, then headers and query parameters.
    public struct RouteMatch: Sendable, Equatable {
        public enum Path: Sendable, Equatable {
            case prefix(String)
            /// `path`: the whole path.
            case path(String)
            case safeRegex(String)
            /// `path_separated_prefix`: the path is the prefix or continues it after a `/` (how
            /// istiod matches a Gateway API `PathPrefix`, element by element).
            case pathSeparatedPrefix(String)
        }

        public var path: Path
        /// Unset: Envoy's default, case-sensitive.
        public var caseSensitive: Bool?
        public var headers: [HeaderMatcher]
        public var queryParameters: [QueryParameterMatcher]

        public init(_ path: Path, caseSensitive: Bool? = nil, headers: [HeaderMatcher] = [], queryParameters: [QueryParameterMatcher] = [])
        {
            self.path = path
            self.caseSensitive = caseSensitive
            self.headers = headers
            self.queryParameters = queryParameters
        }

        /// Matches every request (istiod's `IsCatchAllRoute`).
        public var isCatchAll: Bool {
            guard headers.isEmpty, queryParameters.isEmpty else { return false }
            return path == .prefix("/") || path == .safeRegex(".*")
        }

        var value: Value {
            var o: [String: Value] = [:]
            switch path {
            case .prefix(let p): o["prefix"] = .string(p)
            case .path(let p): o["path"] = .string(p)
            case .safeRegex(let r): o["safe_regex"] = ["regex": .string(r)]
            case .pathSeparatedPrefix(let p): o["path_separated_prefix"] = .string(p)
            }
            if let caseSensitive { o["case_sensitive"] = .bool(caseSensitive) }
            if !headers.isEmpty { o["headers"] = .array(headers.map(\.value)) }
            if !queryParameters.isEmpty { o["query_parameters"] = .array(queryParameters.map(\.value)) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            switch try r.oneOf(["prefix", "path", "safe_regex", "path_separated_prefix"]) {
            case "prefix": path = .prefix(try r.string("prefix"))
            case "path": path = .path(try r.string("path"))
            case "path_separated_prefix": path = .pathSeparatedPrefix(try r.string("path_separated_prefix"))
            default: path = .safeRegex(try r.object("safe_regex") { try $0.string("regex") })
            }
            caseSensitive = try r.bool(ifPresent: "case_sensitive")
            headers = try r.objects("headers", HeaderMatcher.init)
            queryParameters = try r.objects("query_parameters", QueryParameterMatcher.init)
        }
    }

    /// `config.route.v3.RouteAction`.
    public struct RouteAction: Sendable, Equatable {
        public enum Destination: Sendable, Equatable {
            case cluster(String)
            case weightedClusters([ClusterWeight])
        }

        /// nil when the route has no destination left (every one weighted 0): Envoy answers 503.
        public var destination: Destination?
        public var timeout: Duration?
        public var maxGrpcTimeout: Duration?
        /// `INTERNAL_SERVER_ERROR` for Gateway API routes (a missing backend answers 500).
        public var clusterNotFoundResponseCode: String?
        public var retryPolicy: RetryPolicy?
        public var prefixRewrite: String?
        public var regexRewrite: RegexRewrite?
        public var hostRewriteLiteral: String?
        public var requestMirrorPolicies: [MirrorPolicy]
        public var hashPolicy: [HashPolicy]

        public init(
            destination: Destination?, timeout: Duration? = nil, maxGrpcTimeout: Duration? = nil,
            clusterNotFoundResponseCode: String? = nil, retryPolicy: RetryPolicy? = nil, prefixRewrite: String? = nil,
            regexRewrite: RegexRewrite? = nil, hostRewriteLiteral: String? = nil, requestMirrorPolicies: [MirrorPolicy] = [],
            hashPolicy: [HashPolicy] = []
        ) {
            self.destination = destination
            self.timeout = timeout
            self.maxGrpcTimeout = maxGrpcTimeout
            self.clusterNotFoundResponseCode = clusterNotFoundResponseCode
            self.retryPolicy = retryPolicy
            self.prefixRewrite = prefixRewrite
            self.regexRewrite = regexRewrite
            self.hostRewriteLiteral = hostRewriteLiteral
            self.requestMirrorPolicies = requestMirrorPolicies
            self.hashPolicy = hashPolicy
        }

        var value: Value {
            var o: [String: Value] = [:]
            switch destination {
            case .cluster(let c)?: o["cluster"] = .string(c)
            case .weightedClusters(let list)?: o["weighted_clusters"] = ["clusters": .array(list.map(\.value))]
            case nil: break
            }
            if let timeout { o["timeout"] = timeout.value }
            if let maxGrpcTimeout { o["max_grpc_timeout"] = maxGrpcTimeout.value }
            if let clusterNotFoundResponseCode { o["cluster_not_found_response_code"] = .string(clusterNotFoundResponseCode) }
            if let retryPolicy { o["retry_policy"] = retryPolicy.value }
            if let prefixRewrite { o["prefix_rewrite"] = .string(prefixRewrite) }
            if let regexRewrite { o["regex_rewrite"] = regexRewrite.value }
            if let hostRewriteLiteral { o["host_rewrite_literal"] = .string(hostRewriteLiteral) }
            if !requestMirrorPolicies.isEmpty { o["request_mirror_policies"] = .array(requestMirrorPolicies.map(\.value)) }
            if !hashPolicy.isEmpty { o["hash_policy"] = .array(hashPolicy.map(\.value)) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            if r.has("cluster") || r.has("weighted_clusters") {
                switch try r.oneOf(["cluster", "weighted_clusters"]) {
                case "cluster": destination = .cluster(try r.string("cluster"))
                default:
                    destination = .weightedClusters(try r.object("weighted_clusters") { try $0.objects("clusters", ClusterWeight.init) })
                }
            } else {
                destination = nil
            }
            timeout = try r.duration(ifPresent: "timeout")
            maxGrpcTimeout = try r.duration(ifPresent: "max_grpc_timeout")
            clusterNotFoundResponseCode = try r.string(ifPresent: "cluster_not_found_response_code")
            retryPolicy = try r.object(ifPresent: "retry_policy", RetryPolicy.init)
            prefixRewrite = try r.string(ifPresent: "prefix_rewrite")
            regexRewrite = try r.object(ifPresent: "regex_rewrite", RegexRewrite.init)
            hostRewriteLiteral = try r.string(ifPresent: "host_rewrite_literal")
            requestMirrorPolicies = try r.objects("request_mirror_policies", MirrorPolicy.init)
            hashPolicy = try r.objects("hash_policy", HashPolicy.init)
        }
    }

    /// One cluster of `weighted_clusters`, with its own request header operations.
    public struct ClusterWeight: Sendable, Equatable {
        public var name: String
        public var weight: Int
        public var requestHeadersToAdd: [HeaderValueOption]
        public var requestHeadersToRemove: [String]

        public init(name: String, weight: Int, requestHeadersToAdd: [HeaderValueOption] = [], requestHeadersToRemove: [String] = []) {
            self.name = name
            self.weight = weight
            self.requestHeadersToAdd = requestHeadersToAdd
            self.requestHeadersToRemove = requestHeadersToRemove
        }

        var value: Value {
            var o: [String: Value] = ["name": .string(name), "weight": .int(weight)]
            if !requestHeadersToAdd.isEmpty { o["request_headers_to_add"] = .array(requestHeadersToAdd.map(\.value)) }
            if !requestHeadersToRemove.isEmpty { o["request_headers_to_remove"] = .array(requestHeadersToRemove.map { .string($0) }) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            name = try r.string("name")
            weight = try r.int("weight")
            requestHeadersToAdd = try r.objects("request_headers_to_add", HeaderValueOption.init)
            requestHeadersToRemove = try r.strings("request_headers_to_remove")
        }
    }

    /// `regex_rewrite`: every match of `pattern` in the path replaced by `substitution` (RE2, `\1` groups).
    public struct RegexRewrite: Sendable, Equatable {
        public var pattern: String
        public var substitution: String

        public init(pattern: String, substitution: String) {
            self.pattern = pattern
            self.substitution = substitution
        }

        var value: Value { ["pattern": ["regex": .string(pattern)], "substitution": .string(substitution)] }

        init(_ r: EnvoyReader) throws {
            pattern = try r.object("pattern") { try $0.string("regex") }
            substitution = try r.string("substitution")
        }
    }
}
