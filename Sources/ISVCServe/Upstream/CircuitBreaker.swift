/// A cluster's circuit breakers (Envoy's resource manager, default priority), for HTTP/1.1 upstreams
/// where each request in flight holds one connection: up to `max_connections` requests go upstream at
/// once (never more than `max_requests`), then up to `max_pending_requests` wait for a connection; a
/// request beyond that overflows at once. `max_retries` bounds the retries in progress.
public actor CircuitBreaker {
    public enum Refusal: Error, Sendable, Equatable {
        /// Envoy's overflow: 503 with `x-envoy-overloaded: true`.
        case overflow
        /// Waited for a connection past the deadline.
        case timedOut
    }

    public let thresholds: ClusterPolicy.Thresholds
    public private(set) var active = 0
    public private(set) var retries = 0
    private var waiting: [(id: Int, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextID = 0

    public init(thresholds: ClusterPolicy.Thresholds) {
        self.thresholds = thresholds
    }

    public var pending: Int { waiting.count }

    /// Admits one request upstream, waiting for a connection when all are busy (until `timeout`).
    public func acquire(timeout: Duration?) async throws {
        if active < thresholds.maxConnections {
            guard active < thresholds.maxRequests else { throw Refusal.overflow }
            active += 1
            return
        }
        guard waiting.count < thresholds.maxPendingRequests else { throw Refusal.overflow }
        nextID += 1
        let id = nextID
        let timer = timeout.map { t in
            Task { [weak self] in
                try? await Task.sleep(for: t)
                await self?.expire(id)
            }
        }
        defer { timer?.cancel() }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            waiting.append((id, c))
        }
    }

    private func expire(_ id: Int) {
        guard let i = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: i).continuation.resume(throwing: Refusal.timedOut)
    }

    /// The request is done with its connection: the oldest waiting request takes it.
    public func release() {
        if waiting.isEmpty {
            active = max(0, active - 1)
        } else {
            waiting.removeFirst().continuation.resume()
        }
    }

    /// Whether one more retry may start (`max_retries`); pair with `retryDone()`.
    public func startRetry() -> Bool {
        guard retries < thresholds.maxRetries else { return false }
        retries += 1
        return true
    }

    public func retryDone() { retries = max(0, retries - 1) }
}
