/// Knative's queue-proxy breaker for one replica (`pkg/queue/breaker.go`): at most `containerConcurrency`
/// requests in flight (0 = unlimited), at most 10x that many waiting; a request that finds the queue
/// full is refused at once (503 `pending request queue full`), one that waits past its deadline too.
public final class QueueProxy: Sendable {
    public enum Refusal: Error, Sendable, Equatable {
        case queueFull
        case timedOut
    }

    public let concurrency: Int
    public let queueDepth: Int
    private let slots: SlotLimiter

    public init(containerConcurrency: Int) {
        concurrency = containerConcurrency
        queueDepth = 10 * containerConcurrency
        slots = SlotLimiter(slots: containerConcurrency == 0 ? .max : containerConcurrency, queueDepth: queueDepth)
    }

    public var pending: Int { slots.waiting }
    public var active: Int { slots.held }

    /// Runs `work` once a slot is free; refuses when the queue is full or the wait exceeds `timeout`.
    public func run<T: Sendable>(timeout: Duration, _ work: @Sendable () async throws -> T) async throws -> T {
        try await acquire(timeout: timeout)
        defer { release() }
        return try await work()
    }

    /// Takes a slot once one is free (pair with `release()`); refuses as `run` does. A streamed answer
    /// holds its slot until its body ends, as the queue-proxy's handler returns only then.
    public func acquire(timeout: Duration) async throws {
        do {
            try await slots.acquire(timeout: timeout)
        } catch SlotLimiter.Refusal.full {
            throw Refusal.queueFull
        } catch SlotLimiter.Refusal.cancelled {
            throw CancellationError()
        } catch {
            throw Refusal.timedOut
        }
    }

    public func release() { slots.release() }
}
