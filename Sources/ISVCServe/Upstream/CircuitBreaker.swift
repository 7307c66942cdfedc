import NIOConcurrencyHelpers

/// A cluster's circuit breakers (Envoy's resource manager, default priority), for HTTP/1.1 upstreams
/// where each request in flight holds one connection: up to `max_connections` requests go upstream at
/// once (never more than `max_requests`), then up to `max_pending_requests` wait for a connection; a
/// request beyond that overflows at once. `max_retries` bounds the retries in progress.
public final class CircuitBreaker: Sendable {
    public enum Refusal: Error, Sendable, Equatable {
        /// Envoy's overflow: 503 with `x-envoy-overloaded: true`.
        case overflow
        /// Waited for a connection past the deadline.
        case timedOut
    }

    public let thresholds: ClusterPolicy.Thresholds
    private let connections: SlotLimiter
    private let retryCount = NIOLockedValueBox(0)

    public init(thresholds: ClusterPolicy.Thresholds) {
        self.thresholds = thresholds
        // Fewer requests than connections allowed: the request limit overflows first, and no request
        // ever waits for a connection. Otherwise the connections fill, then the pending queue.
        connections =
            thresholds.maxRequests < thresholds.maxConnections
            ? SlotLimiter(slots: thresholds.maxRequests, queueDepth: 0)
            : SlotLimiter(slots: thresholds.maxConnections, queueDepth: thresholds.maxPendingRequests)
    }

    public var active: Int { connections.held }
    public var pending: Int { connections.waiting }
    public var retries: Int { retryCount.withLockedValue { $0 } }

    /// Admits one request upstream, waiting for a connection when all are busy (until `timeout`).
    public func acquire(timeout: Duration?) async throws {
        do {
            try await connections.acquire(timeout: timeout)
        } catch SlotLimiter.Refusal.full {
            throw Refusal.overflow
        } catch SlotLimiter.Refusal.cancelled {
            throw CancellationError()
        } catch {
            throw Refusal.timedOut
        }
    }

    /// The request is done with its connection: the oldest waiting request takes it.
    public func release() { connections.release() }

    /// Whether one more retry may start (`max_retries`); pair with `retryDone()`.
    public func startRetry() -> Bool {
        let max = thresholds.maxRetries
        return retryCount.withLockedValue { n in
            guard n < max else { return false }
            n += 1
            return true
        }
    }

    public func retryDone() { retryCount.withLockedValue { $0 = max(0, $0 - 1) } }
}
