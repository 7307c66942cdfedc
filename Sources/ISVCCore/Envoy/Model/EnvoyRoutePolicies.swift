/// What a route asks beyond its destination: mirrors, hashing, retries and injected faults.
extension Envoy {
    /// `request_mirror_policies` entry: a shadow copy of the request to `cluster`, for a fraction of requests.
    public struct MirrorPolicy: Sendable, Equatable {
        public var cluster: String
        /// `runtime_fraction.default_value`; unset mirrors every request.
        public var fraction: FractionalPercent?
        public var traceSampled: Bool?

        public init(cluster: String, fraction: FractionalPercent?, traceSampled: Bool? = nil) {
            self.cluster = cluster
            self.fraction = fraction
            self.traceSampled = traceSampled
        }

        var value: Value {
            var o: [String: Value] = ["cluster": .string(cluster)]
            if let fraction { o["runtime_fraction"] = ["default_value": fraction.value] }
            if let traceSampled { o["trace_sampled"] = .bool(traceSampled) }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            cluster = try r.string("cluster")
            fraction = try r.object(ifPresent: "runtime_fraction") { try $0.object("default_value", FractionalPercent.init) }
            traceSampled = try r.bool(ifPresent: "trace_sampled")
        }
    }

    /// One `hash_policy` entry: what a consistent-hash load balancer hashes.
    public enum HashPolicy: Sendable, Equatable {
        case header(name: String)
        case cookie(name: String, path: String?, ttl: Duration?)
        case sourceIP
        case queryParameter(name: String)

        var value: Value {
            switch self {
            case .header(let name): return ["header": ["header_name": .string(name)]]
            case .cookie(let name, let path, let ttl):
                var c: [String: Value] = ["name": .string(name)]
                if let path { c["path"] = .string(path) }
                if let ttl { c["ttl"] = ttl.value }
                return ["cookie": .object(c)]
            case .sourceIP: return ["connection_properties": ["source_ip": true]]
            case .queryParameter(let name): return ["query_parameter": ["name": .string(name)]]
            }
        }

        init(_ r: EnvoyReader) throws {
            switch try r.oneOf(["header", "cookie", "connection_properties", "query_parameter"]) {
            case "header": self = .header(name: try r.object("header") { try $0.string("header_name") })
            case "cookie":
                self = try r.object("cookie") { c in
                    .cookie(name: try c.string("name"), path: try c.string(ifPresent: "path"), ttl: try c.duration(ifPresent: "ttl"))
                }
            case "connection_properties":
                let on = try r.object("connection_properties") { try $0.bool("source_ip") }
                guard on else { throw r.error("connection_properties.source_ip", "false hashes nothing; isvc represents only true") }
                self = .sourceIP
            default: self = .queryParameter(name: try r.object("query_parameter") { try $0.string("name") })
            }
        }
    }

    /// `config.route.v3.RetryPolicy`.
    public struct RetryPolicy: Sendable, Equatable {
        public enum HostPredicate: String, Sendable {
            case previousHosts = "envoy.retry_host_predicates.previous_hosts"
            static let typeURL = "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"
        }

        /// `retry_on`, split at commas.
        public var retryOn: [String]
        /// Unset: Envoy's default, 1.
        public var numRetries: Int?
        public var hostSelectionRetryMaxAttempts: Int?
        public var retryHostPredicates: [HostPredicate]
        public var retriableStatusCodes: [Int]
        public var perTryTimeout: Duration?
        /// `retry_back_off`: base (and maximum) interval.
        public var backOff: (base: Duration, max: Duration?)?

        public init(
            retryOn: [String], numRetries: Int?, hostSelectionRetryMaxAttempts: Int? = nil, retryHostPredicates: [HostPredicate] = [],
            retriableStatusCodes: [Int] = [], perTryTimeout: Duration? = nil, backOff: (base: Duration, max: Duration?)? = nil
        ) {
            self.retryOn = retryOn
            self.numRetries = numRetries
            self.hostSelectionRetryMaxAttempts = hostSelectionRetryMaxAttempts
            self.retryHostPredicates = retryHostPredicates
            self.retriableStatusCodes = retriableStatusCodes
            self.perTryTimeout = perTryTimeout
            self.backOff = backOff
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.retryOn == b.retryOn && a.numRetries == b.numRetries && a.hostSelectionRetryMaxAttempts == b.hostSelectionRetryMaxAttempts
                && a.retryHostPredicates == b.retryHostPredicates && a.retriableStatusCodes == b.retriableStatusCodes
                && a.perTryTimeout == b.perTryTimeout && a.backOff?.base == b.backOff?.base && a.backOff?.max == b.backOff?.max
        }

        var value: Value {
            var o: [String: Value] = ["retry_on": .string(retryOn.joined(separator: ","))]
            if let numRetries { o["num_retries"] = .int(numRetries) }
            if let hostSelectionRetryMaxAttempts { o["host_selection_retry_max_attempts"] = .int(hostSelectionRetryMaxAttempts) }
            if !retryHostPredicates.isEmpty {
                o["retry_host_predicate"] = .array(
                    retryHostPredicates.map { p in
                        ["name": .string(p.rawValue), "typed_config": ["@type": .string(HostPredicate.typeURL)]]
                    })
            }
            if !retriableStatusCodes.isEmpty { o["retriable_status_codes"] = .array(retriableStatusCodes.map { .int($0) }) }
            if let perTryTimeout { o["per_try_timeout"] = perTryTimeout.value }
            if let backOff {
                var b: [String: Value] = ["base_interval": backOff.base.value]
                if let max = backOff.max { b["max_interval"] = max.value }
                o["retry_back_off"] = .object(b)
            }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            retryOn = try r.string("retry_on").split(separator: ",").map { String($0) }
            numRetries = try r.int(ifPresent: "num_retries")
            hostSelectionRetryMaxAttempts = try r.int(ifPresent: "host_selection_retry_max_attempts")
            retryHostPredicates = try r.objects("retry_host_predicate") { p in
                let predicate = try p.enumeration("name", HostPredicate.self)
                try p.object(ifPresent: "typed_config") { try $0.typeURL(HostPredicate.typeURL) }
                return predicate
            }
            retriableStatusCodes = try r.ints("retriable_status_codes")
            perTryTimeout = try r.duration(ifPresent: "per_try_timeout")
            backOff = try r.object(ifPresent: "retry_back_off") { b in
                (try b.duration("base_interval"), try b.duration(ifPresent: "max_interval"))
            }
        }
    }

    /// `envoy.filters.http.fault`'s config (the listener's filter has none; a route's says what to inject).
    public struct HTTPFault: Sendable, Equatable {
        static let typeURL = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"

        public struct Abort: Sendable, Equatable {
            public var percentage: FractionalPercent
            public var httpStatus: Int?
            public var grpcStatus: String?

            public init(percentage: FractionalPercent, httpStatus: Int?, grpcStatus: String?) {
                self.percentage = percentage
                self.httpStatus = httpStatus
                self.grpcStatus = grpcStatus
            }
        }

        public var delay: (fixedDelay: Duration, percentage: FractionalPercent)?
        public var abort: Abort?

        public init(delay: (fixedDelay: Duration, percentage: FractionalPercent)? = nil, abort: Abort? = nil) {
            self.delay = delay
            self.abort = abort
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.delay?.fixedDelay == b.delay?.fixedDelay && a.delay?.percentage == b.delay?.percentage && a.abort == b.abort
        }

        var value: Value {
            var o: [String: Value] = ["@type": .string(Self.typeURL)]
            if let delay { o["delay"] = ["fixed_delay": delay.fixedDelay.value, "percentage": delay.percentage.value] }
            if let abort {
                var a: [String: Value] = ["percentage": abort.percentage.value]
                if let s = abort.httpStatus { a["http_status"] = .int(s) }
                if let g = abort.grpcStatus { a["grpc_status"] = .string(g) }
                o["abort"] = .object(a)
            }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            try r.typeURL(Self.typeURL)
            delay = try r.object(ifPresent: "delay") { d in
                (try d.duration("fixed_delay"), try d.object("percentage", FractionalPercent.init))
            }
            abort = try r.object(ifPresent: "abort") { a in
                Abort(
                    percentage: try a.object("percentage", FractionalPercent.init), httpStatus: try a.int(ifPresent: "http_status"),
                    grpcStatus: try a.string(ifPresent: "grpc_status"))
            }
        }
    }
}
