extension Envoy {
    /// A static bootstrap: the admin address, the listeners and the clusters.
    public struct Bootstrap: Sendable, Equatable {
        public var admin: SocketAddress
        public var listeners: [Listener]
        public var clusters: [Cluster]

        public init(admin: SocketAddress, listeners: [Listener], clusters: [Cluster]) {
            self.admin = admin
            self.listeners = listeners
            self.clusters = clusters
        }

        /// The config as written out (`isvc compile --emit envoy`).
        public var value: Value {
            [
                "admin": ["address": admin.value],
                "static_resources": ["listeners": .array(listeners.map(\.value)), "clusters": .array(clusters.map(\.value))],
            ]
        }

        /// Reads a bootstrap someone wrote; throws, naming the field, on anything the model does not hold.
        public init(decoding value: Value) throws {
            self = try EnvoyReader.read(value, path: "") { r in
                let admin = try r.object("admin") { a in try a.object("address", SocketAddress.init(address:)) }
                let (listeners, clusters) = try r.object("static_resources") { s in
                    (try s.objects("listeners", Listener.init), try s.objects("clusters", Cluster.init))
                }
                return Bootstrap(admin: admin, listeners: listeners, clusters: clusters)
            }
        }
    }

    /// A listener with one filter chain holding one HTTP connection manager (all istiod's gateway has).
    public struct Listener: Sendable, Equatable {
        public var name: String
        public var address: SocketAddress
        public var httpConnectionManager: HTTPConnectionManager

        public init(name: String, address: SocketAddress, httpConnectionManager: HTTPConnectionManager) {
            self.name = name
            self.address = address
            self.httpConnectionManager = httpConnectionManager
        }

        static let hcmName = "envoy.filters.network.http_connection_manager"

        var value: Value {
            [
                "name": .string(name), "address": address.value,
                "filter_chains": [["filters": [["name": .string(Self.hcmName), "typed_config": httpConnectionManager.value]]]],
            ]
        }

        init(_ r: EnvoyReader) throws {
            name = try r.string("name")
            address = try r.object("address", SocketAddress.init(address:))
            let chains = try r.objects("filter_chains") { chain in
                try chain.objects("filters") { f in
                    let name = try f.string("name")
                    guard name == Self.hcmName else { throw f.error("name", "\"\(name)\": isvc represents only \(Self.hcmName)") }
                    return try f.object("typed_config", HTTPConnectionManager.init)
                }
            }
            guard chains.count == 1, chains[0].count == 1 else {
                throw r.error("filter_chains", "isvc represents one filter chain with one HTTP connection manager")
            }
            httpConnectionManager = chains[0][0]
        }
    }

    /// `envoy.filters.network.http_connection_manager` as istiod configures a gateway's: the route
    /// config inline and the HTTP filters in order. The settings isvc does not act on are kept as
    /// istiod writes them.
    public struct HTTPConnectionManager: Sendable, Equatable {
        static let typeURL = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"

        public var statPrefix: String
        public var useRemoteAddress: Bool?
        public var forwardClientCertDetails: String?
        public var codecType: String?
        public var normalizePath: Bool?
        public var pathWithEscapedSlashesAction: String?
        public var streamIdleTimeout: Duration?
        public var upgradeTypes: [String]
        public var routeConfig: RouteConfiguration
        public var httpFilters: [HTTPFilter]

        /// istiod's gateway settings.
        public init(
            statPrefix: String, routeConfig: RouteConfiguration, httpFilters: [HTTPFilter],
            useRemoteAddress: Bool? = true, forwardClientCertDetails: String? = "SANITIZE_SET", codecType: String? = "AUTO",
            normalizePath: Bool? = true, pathWithEscapedSlashesAction: String? = "KEEP_UNCHANGED",
            streamIdleTimeout: Duration? = "0s", upgradeTypes: [String] = ["websocket"]
        ) {
            self.statPrefix = statPrefix
            self.routeConfig = routeConfig
            self.httpFilters = httpFilters
            self.useRemoteAddress = useRemoteAddress
            self.forwardClientCertDetails = forwardClientCertDetails
            self.codecType = codecType
            self.normalizePath = normalizePath
            self.pathWithEscapedSlashesAction = pathWithEscapedSlashesAction
            self.streamIdleTimeout = streamIdleTimeout
            self.upgradeTypes = upgradeTypes
        }

        var value: Value {
            var o: [String: Value] = [
                "@type": .string(Self.typeURL), "stat_prefix": .string(statPrefix),
                "route_config": routeConfig.value, "http_filters": .array(httpFilters.map(\.value)),
            ]
            if let useRemoteAddress { o["use_remote_address"] = .bool(useRemoteAddress) }
            if let forwardClientCertDetails { o["forward_client_cert_details"] = .string(forwardClientCertDetails) }
            if let codecType { o["codec_type"] = .string(codecType) }
            if let normalizePath { o["normalize_path"] = .bool(normalizePath) }
            if let pathWithEscapedSlashesAction { o["path_with_escaped_slashes_action"] = .string(pathWithEscapedSlashesAction) }
            if let streamIdleTimeout { o["stream_idle_timeout"] = streamIdleTimeout.value }
            if !upgradeTypes.isEmpty { o["upgrade_configs"] = .array(upgradeTypes.map { ["upgrade_type": .string($0)] }) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            try r.typeURL(Self.typeURL)
            statPrefix = try r.string("stat_prefix")
            useRemoteAddress = try r.bool(ifPresent: "use_remote_address")
            forwardClientCertDetails = try r.string(ifPresent: "forward_client_cert_details")
            codecType = try r.string(ifPresent: "codec_type")
            normalizePath = try r.bool(ifPresent: "normalize_path")
            pathWithEscapedSlashesAction = try r.string(ifPresent: "path_with_escaped_slashes_action")
            streamIdleTimeout = try r.duration(ifPresent: "stream_idle_timeout")
            upgradeTypes = try r.objects("upgrade_configs") { try $0.string("upgrade_type") }
            routeConfig = try r.object("route_config", RouteConfiguration.init)
            httpFilters = try r.objects("http_filters", HTTPFilter.init)
        }
    }

    /// The route config of a listener (`http.<port>`): its virtual hosts in order.
    public struct RouteConfiguration: Sendable, Equatable {
        public var name: String
        public var virtualHosts: [VirtualHost]
        public var validateClusters: Bool?
        /// Hosts match without their port (istiod sets it; serve always matches so).
        public var ignorePortInHostMatching: Bool?
        public var maxDirectResponseBodySizeBytes: Int?

        public init(
            name: String, virtualHosts: [VirtualHost], validateClusters: Bool? = false, ignorePortInHostMatching: Bool? = true,
            maxDirectResponseBodySizeBytes: Int? = 1_048_576
        ) {
            self.name = name
            self.virtualHosts = virtualHosts
            self.validateClusters = validateClusters
            self.ignorePortInHostMatching = ignorePortInHostMatching
            self.maxDirectResponseBodySizeBytes = maxDirectResponseBodySizeBytes
        }

        var value: Value {
            var o: [String: Value] = ["name": .string(name), "virtual_hosts": .array(virtualHosts.map(\.value))]
            if let validateClusters { o["validate_clusters"] = .bool(validateClusters) }
            if let ignorePortInHostMatching { o["ignore_port_in_host_matching"] = .bool(ignorePortInHostMatching) }
            if let maxDirectResponseBodySizeBytes { o["max_direct_response_body_size_bytes"] = .int(maxDirectResponseBodySizeBytes) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            name = try r.string("name")
            virtualHosts = try r.objects("virtual_hosts", VirtualHost.init)
            validateClusters = try r.bool(ifPresent: "validate_clusters")
            ignorePortInHostMatching = try r.bool(ifPresent: "ignore_port_in_host_matching")
            maxDirectResponseBodySizeBytes = try r.int(ifPresent: "max_direct_response_body_size_bytes")
        }
    }

    /// `config.route.v3.VirtualHost`: domains and routes in order.
    public struct VirtualHost: Sendable, Equatable {
        public var name: String
        public var domains: [String]
        public var routes: [Route]

        public init(name: String, domains: [String], routes: [Route]) {
            self.name = name
            self.domains = domains
            self.routes = routes
        }

        var value: Value {
            var o: [String: Value] = ["name": .string(name), "domains": .array(domains.map { .string($0) })]
            if !routes.isEmpty { o["routes"] = .array(routes.map(\.value)) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            name = try r.string("name")
            domains = try r.strings("domains")
            routes = try r.objects("routes", Route.init)
        }
    }

    /// One HTTP filter of the connection manager, with its config.
    public enum HTTPFilter: Sendable, Equatable {
        case jwtAuthn(JWTAuthentication)
        case rbac(RBAC)
        /// The fault filter (its config empty; routes carry theirs).
        case fault
        case cors
        case router

        static let names = [
            "envoy.filters.http.jwt_authn", "envoy.filters.http.rbac", "envoy.filters.http.fault",
            "envoy.filters.http.cors", "envoy.filters.http.router",
        ]
        static let corsType = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"
        static let routerType = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"

        public var name: String {
            switch self {
            case .jwtAuthn: "envoy.filters.http.jwt_authn"
            case .rbac: "envoy.filters.http.rbac"
            case .fault: "envoy.filters.http.fault"
            case .cors: "envoy.filters.http.cors"
            case .router: "envoy.filters.http.router"
            }
        }

        var value: Value {
            let config: Value
            switch self {
            case .jwtAuthn(let j): config = j.value
            case .rbac(let r): config = r.value
            case .fault: config = HTTPFault().value
            case .cors: config = ["@type": .string(Self.corsType)]
            case .router: config = ["@type": .string(Self.routerType)]
            }
            return ["name": .string(name), "typed_config": config]
        }

        init(_ r: EnvoyReader) throws {
            let name = try r.string("name")
            switch name {
            case "envoy.filters.http.jwt_authn": self = .jwtAuthn(try r.object("typed_config", JWTAuthentication.init))
            case "envoy.filters.http.rbac": self = .rbac(try r.object("typed_config", RBAC.init))
            case "envoy.filters.http.fault":
                let fault = try r.object("typed_config", HTTPFault.init)
                guard fault == HTTPFault() else {
                    throw r.error("typed_config", "isvc represents the fault filter without a listener-wide fault")
                }
                self = .fault
            case "envoy.filters.http.cors":
                try r.object("typed_config") { try $0.typeURL(Self.corsType) }
                self = .cors
            case "envoy.filters.http.router":
                try r.object("typed_config") { try $0.typeURL(Self.routerType) }
                self = .router
            default:
                throw r.error("name", "\"\(name)\": isvc represents the HTTP filters \(Self.names.joined(separator: ", "))")
            }
        }
    }
}
