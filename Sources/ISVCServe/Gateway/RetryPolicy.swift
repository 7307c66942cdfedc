import Foundation
import ISVCCore

/// A route's `retry_policy` and Envoy's rules for when an attempt is retried (`retry_state_impl.cc`):
/// which outcomes each `retry_on` condition covers, the previous-hosts predicate, and the jittered
/// exponential backoff (base 25 ms, at most 10 x base).
public struct RetryPolicy: Sendable, Equatable {
    /// How one attempt ended.
    public enum Outcome: Sendable, Equatable {
        /// An answer from upstream (its status, and `grpc-status` if the answer has one).
        case response(Int, grpcStatus: Int?)
        /// The connection could not be made (refused, connect timeout).
        case connectFailure
        /// The connection broke before a complete answer.
        case reset
        /// The per-try timeout fired.
        case perTryTimeout
        /// The circuit breakers refused it: never retried.
        case overflow
    }

    public var numRetries: Int
    public var perTryTimeout: Double?
    public var conditions: Set<String>
    public var retriableStatusCodes: Set<Int>
    public var previousHosts: Bool
    public var baseInterval: Double
    public var maxInterval: Double

    public init(
        numRetries: Int, conditions: Set<String>, retriableStatusCodes: Set<Int> = [], perTryTimeout: Double? = nil,
        previousHosts: Bool = true, baseInterval: Double = 0.025, maxInterval: Double? = nil
    ) {
        self.numRetries = max(0, numRetries)
        self.conditions = conditions
        self.retriableStatusCodes = retriableStatusCodes
        self.perTryTimeout = perTryTimeout
        self.previousHosts = previousHosts
        self.baseInterval = max(0.001, baseInterval)
        self.maxInterval = max(self.baseInterval, maxInterval ?? 10 * self.baseInterval)
    }

    /// A route's typed `retry_policy`; what it leaves unset is Envoy's default (1 retry, 25 ms base interval).
    public init(_ p: Envoy.RetryPolicy) {
        let conditions = Set(p.retryOn.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        self.init(
            numRetries: p.numRetries ?? 1, conditions: conditions, retriableStatusCodes: Set(p.retriableStatusCodes),
            perTryTimeout: p.perTryTimeout?.seconds.flatMap { $0 > 0 ? $0 : nil },
            previousHosts: p.retryHostPredicates.contains(.previousHosts),
            baseInterval: p.backOff?.base.seconds ?? 0.025, maxInterval: p.backOff?.max?.seconds)
    }

    /// Whether `retry_on` covers this outcome (the method does not matter: Envoy retries a POST as a GET).
    public func covers(_ outcome: Outcome) -> Bool {
        let c = conditions
        switch outcome {
        case .overflow:
            return false
        case .connectFailure:
            return !c.isDisjoint(with: ["5xx", "gateway-error", "reset", "connect-failure", "reset-before-request"])
        case .reset, .perTryTimeout:
            return !c.isDisjoint(with: ["5xx", "gateway-error", "reset"])
        case .response(let status, let grpc):
            if c.contains("5xx"), status >= 500 { return true }
            if c.contains("gateway-error"), [502, 503, 504].contains(status) { return true }
            if c.contains("retriable-4xx"), status == 409 { return true }
            if c.contains("retriable-status-codes"), retriableStatusCodes.contains(status) { return true }
            if let grpc {
                let names: [Int: String] = [
                    1: "cancelled", 4: "deadline-exceeded", 8: "resource-exhausted", 13: "internal", 14: "unavailable",
                ]
                if let name = names[grpc], c.contains(name) { return true }
            }
            return false
        }
    }

    /// The wait before retry number `retry` (1-based): uniform in [0, interval) where the interval
    /// doubles from the base up to the maximum, as Envoy's JitteredExponentialBackOffStrategy.
    public func backoff(retry: Int, random: (Double) -> Double = { Double.random(in: 0..<$0) }) -> Double {
        var interval = baseInterval
        for _ in 1..<max(1, retry) { interval = interval < maxInterval / 2 ? interval * 2 : maxInterval }
        return min(random(interval), maxInterval)
    }
}
