extension Envoy {
    /// A cluster's `typed_extension_protocol_options` entry
    /// `envoy.extensions.upstreams.http.v3.HttpProtocolOptions`: which HTTP version Envoy speaks
    /// upstream, and the per-connection limits istiod copies from a DestinationRule's connection pool.
    public struct HTTPProtocolOptions: Sendable, Equatable {
        /// The upstream protocol (`upstream_protocol_options`).
        public enum Upstream: Sendable, Equatable {
            /// `explicit_http_config.http_protocol_options` (HTTP/1.1).
            case http1
            /// `explicit_http_config.http2_protocol_options` (h2c to the endpoints), with
            /// `max_concurrent_streams` when set.
            case http2(maxConcurrentStreams: Int?)
            /// `use_downstream_protocol_config`: HTTP/1.1 or HTTP/2 as the client spoke.
            case downstream
        }

        /// `common_http_protocol_options` (present, maybe empty, once any connection-pool limit is set).
        public struct Common: Sendable, Equatable {
            public var idleTimeout: Duration?
            public var maxRequestsPerConnection: Int?
            public var maxConnectionDuration: Duration?

            public init(idleTimeout: Duration? = nil, maxRequestsPerConnection: Int? = nil, maxConnectionDuration: Duration? = nil) {
                self.idleTimeout = idleTimeout
                self.maxRequestsPerConnection = maxRequestsPerConnection
                self.maxConnectionDuration = maxConnectionDuration
            }
        }

        public var upstream: Upstream
        public var common: Common?

        public init(upstream: Upstream, common: Common? = nil) {
            self.upstream = upstream
            self.common = common
        }

        /// Whether the endpoints are spoken to in HTTP/2 whatever the client spoke.
        public var isHTTP2: Bool {
            if case .http2 = upstream { return true }
            return false
        }

        static let key = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
        static let typeURL = "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions"

        var value: Value {
            var o: [String: Value] = ["@type": .string(Self.typeURL)]
            if let common {
                var c: [String: Value] = [:]
                if let d = common.idleTimeout { c["idle_timeout"] = d.value }
                if let n = common.maxRequestsPerConnection { c["max_requests_per_connection"] = .int(n) }
                if let d = common.maxConnectionDuration { c["max_connection_duration"] = d.value }
                o["common_http_protocol_options"] = .object(c)
            }
            switch upstream {
            case .http1: o["explicit_http_config"] = ["http_protocol_options": [:]]
            case .http2(let streams):
                o["explicit_http_config"] = ["http2_protocol_options": .object(streams.map { ["max_concurrent_streams": .int($0)] } ?? [:])]
            case .downstream: o["use_downstream_protocol_config"] = ["http_protocol_options": [:], "http2_protocol_options": [:]]
            }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            try r.typeURL(Self.typeURL)
            common = try r.object(ifPresent: "common_http_protocol_options") { c in
                Common(
                    idleTimeout: try c.duration(ifPresent: "idle_timeout"),
                    maxRequestsPerConnection: try c.int(ifPresent: "max_requests_per_connection"),
                    maxConnectionDuration: try c.duration(ifPresent: "max_connection_duration"))
            }
            if let downstream = try r.object(
                ifPresent: "use_downstream_protocol_config",
                { d in
                    try d.object(ifPresent: "http_protocol_options") { _ in }
                    try d.object(ifPresent: "http2_protocol_options") { _ in }
                    return Upstream.downstream
                })
            {
                upstream = downstream
                return
            }
            upstream = try r.object("explicit_http_config") { e in
                if let streams = try e.object(ifPresent: "http2_protocol_options", { try $0.int(ifPresent: "max_concurrent_streams") }) {
                    return .http2(maxConcurrentStreams: streams)
                }
                try e.object("http_protocol_options") { _ in }
                return .http1
            }
        }
    }
}
