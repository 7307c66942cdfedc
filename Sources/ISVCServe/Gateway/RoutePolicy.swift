import Foundation
import ISVCCore

/// What one Envoy route asks of the router beyond choosing a cluster: timeout, retries, fault
/// injection, mirrors, the hash for consistent-hash load balancing, and response header operations.
public struct RoutePolicy: Sendable {
    /// `route.timeout` in seconds; nil when 0 (disabled).
    public var timeout: Double?
    /// `route.max_grpc_timeout` in seconds (0: no cap); nil when the route has none.
    public var maxGrpcTimeout: Double?
    public var retry: RetryPolicy?
    public var fault: FaultPolicy?
    public var mirrors: [(cluster: String, fraction: Double)]
    public var hashPolicies: [Envoy.HashPolicy]
    var responseHeadersToAdd: [HeaderOperation]
    public var responseHeadersToRemove: [String]

    public init(route: Envoy.Route) {
        let action = route.route
        timeout = action.timeout?.seconds.flatMap { $0 > 0 ? $0 : nil }
        maxGrpcTimeout = action.maxGrpcTimeout?.seconds
        retry = action.retryPolicy.map(RetryPolicy.init)
        fault = route.fault.flatMap(FaultPolicy.init)
        // A mirror without a runtime fraction mirrors every request.
        mirrors = action.requestMirrorPolicies.map { m in (m.cluster, m.fraction?.fraction ?? 1) }
        hashPolicies = action.hashPolicy
        responseHeadersToAdd = HeaderOperation.list(route.responseHeadersToAdd)
        responseHeadersToRemove = route.responseHeadersToRemove
    }

    /// The request's hash from the route's `hash_policy` (header, query parameter, cookie, source IP);
    /// nil when none yields a value, as in Envoy (then the load balancer picks at random).
    public func hash(_ request: GatewayRouter.Request, sourceIP: String = "127.0.0.1") -> UInt64? {
        var result: UInt64?
        for p in hashPolicies {
            let value: String?
            switch p {
            case .header(let name): value = request.header(name)
            case .queryParameter(let name): value = RouteMatch.query(request.path, name)
            case .cookie(let name, _, _): value = Self.cookie(request.header("cookie"), name)
            case .sourceIP: value = sourceIP
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

    init?(_ f: Envoy.HTTPFault) {
        delay = f.delay?.fixedDelay.seconds
        delayFraction = f.delay?.percentage.fraction ?? 0
        abortStatus = f.abort?.httpStatus
        // A gRPC abort answers HTTP 200 with grpc-status; locally it is an HTTP 503 (not modelled further).
        if abortStatus == nil, f.abort?.grpcStatus != nil { abortStatus = 503 }
        abortFraction = f.abort?.percentage.fraction ?? 0
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
