/// Knative's queue-proxy breaker for one replica (`pkg/queue/breaker.go`): at most `containerConcurrency`
/// requests in flight (0 = unlimited), at most 10x that many waiting; a request that finds the queue
/// full is refused at once (503 `pending request queue full`), one that waits past its deadline too.
public actor QueueProxy {
    public enum Refusal: Error, Sendable, Equatable {
        case queueFull
        case timedOut
    }

    public let concurrency: Int
    public let queueDepth: Int
    private var inFlight = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextID = 0

    public init(containerConcurrency: Int) {
        concurrency = containerConcurrency
        queueDepth = 10 * containerConcurrency
    }

    public var pending: Int { waiters.count }
    public var active: Int { inFlight }

    /// Runs `work` once a slot is free; refuses when the queue is full or the wait exceeds `timeout`.
    public func run<T: Sendable>(timeout: Duration, _ work: @Sendable () async throws -> T) async throws -> T {
        try await acquire(timeout: timeout)
        defer { release() }
        return try await work()
    }

    func acquire(timeout: Duration) async throws {
        if concurrency == 0 || inFlight < concurrency {
            inFlight += 1
            return
        }
        guard waiters.count < queueDepth else { throw Refusal.queueFull }
        nextID += 1
        let id = nextID
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            waiters.append((id, c))
        }
    }

    private func expire(_ id: Int) {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: i).continuation.resume(throwing: Refusal.timedOut)
    }

    private func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            // The slot passes straight to the oldest waiter.
            waiters.removeFirst().continuation.resume()
        }
    }
}
