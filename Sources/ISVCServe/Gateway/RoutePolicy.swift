import Foundation
import ISVCCore

/// What one Envoy route asks of the router beyond choosing a cluster: timeout, retries, fault
/// injection, mirrors, the hash for consistent-hash load balancing, and response header operations.
public struct RoutePolicy: Sendable {
    /// `route.timeout` in seconds; nil when 0 (disabled).
    public var timeout: Double?
    public var retry: RetryPolicy?
    public var fault: FaultPolicy?
    public var mirrors: [(cluster: String, fraction: Double)]
    public var hashPolicies: [Value]
    var responseHeadersToAdd: [HeaderOperation]
    public var responseHeadersToRemove: [String]

    public init(route: Value) {
        let action = route["route"] ?? [:]
        timeout = EnvoyValues.seconds(action["timeout"]).flatMap { $0 > 0 ? $0 : nil }
        retry = action["retry_policy"].map(RetryPolicy.init)
        fault = route[path: ["typed_per_filter_config", "envoy.filters.http.fault"]].flatMap(FaultPolicy.init)
        mirrors = (action["request_mirror_policies"]?.array ?? []).compactMap { m in
            guard let c = m["cluster"]?.string else { return nil }
            let fraction = m[path: ["runtime_fraction", "default_value"]].map(EnvoyValues.fraction) ?? 1
            return (c, fraction)
        }
        hashPolicies = action["hash_policy"]?.array ?? []
        responseHeadersToAdd = HeaderOperation.list(route["response_headers_to_add"])
        responseHeadersToRemove = (route["response_headers_to_remove"]?.array ?? []).compactMap(\.string)
    }

    /// The request's hash from the route's `hash_policy` (header, query parameter, cookie, source IP);
    /// nil when none yields a value, as in Envoy (then the load balancer picks at random).
    public func hash(_ request: GatewayRouter.Request, sourceIP: String = "127.0.0.1") -> UInt64? {
        var result: UInt64?
        for p in hashPolicies {
            var value: String?
            if let name = p[path: ["header", "header_name"]]?.string {
                value = request.header(name)
            } else if let name = p[path: ["query_parameter", "name"]]?.string {
                value = RouteMatch.query(request.path, name)
            } else if let name = p[path: ["cookie", "name"]]?.string {
                value = Self.cookie(request.header("cookie"), name)
            } else if p[path: ["connection_properties", "source_ip"]] == .bool(true) {
                value = sourceIP
            }
            guard let value else { continue }
            let h = HashRing.hash(value)
            result = result.map { (($0 << 1) | ($0 >> 63)) ^ h } ?? h
        }
        return result
    }

    static func cookie(_ header: String?, _ name: String) -> String? {
        for part in (header ?? "").split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0] == name { return String(kv[1]) }
        }
        return nil
    }

    /// The route's response header operations, applied to an answer (upstream's or the router's own).
    public func applyResponseHeaders(to headers: inout [(name: String, value: String)]) {
        HeaderOperation.apply(responseHeadersToAdd, removing: responseHeadersToRemove, to: &headers)
    }
}

/// The fault filter's per-route config: a delay and an abort, each with its own percentage.
public struct FaultPolicy: Sendable, Equatable {
    public var delay: Double?
    public var delayFraction: Double
    public var abortStatus: Int?
    public var abortFraction: Double

    init?(_ v: Value) {
        delay = EnvoyValues.seconds(v[path: ["delay", "fixed_delay"]])
        delayFraction = EnvoyValues.fraction(v[path: ["delay", "percentage"]])
        abortStatus = v[path: ["abort", "http_status"]]?.int
        // A gRPC abort answers HTTP 200 with grpc-status; locally it is an HTTP 503 (not modelled further).
        if abortStatus == nil, v[path: ["abort", "grpc_status"]] != nil { abortStatus = 503 }
        abortFraction = EnvoyValues.fraction(v[path: ["abort", "percentage"]])
        if delay == nil, abortStatus == nil { return nil }
    }

    public init(delay: Double?, delayFraction: Double, abortStatus: Int?, abortFraction: Double) {
        self.delay = delay
        self.delayFraction = delayFraction
        self.abortStatus = abortStatus
        self.abortFraction = abortFraction
    }

    /// What the filter does to one request: the delay first, then the abort, each drawn independently
    /// (`roll` is uniform in 0..<1).
    public func decide(roll: () -> Double = { Double.random(in: 0..<1) }) -> (delay: Double?, abort: Int?) {
        let d = delay.flatMap { $0 > 0 && roll() < delayFraction ? $0 : nil }
        let a = abortStatus.flatMap { (200...599).contains($0) && roll() < abortFraction ? $0 : nil }
        return (d, a)
    }
}
