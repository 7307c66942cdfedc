import NIOConcurrencyHelpers

/// Up to `slots` holders at once and up to `queueDepth` callers waiting for a slot, first come first
/// served; a caller beyond that is refused at once, a waiter past its timeout too. The shape of both
/// Envoy's circuit breakers (connections, then pending requests) and Knative's queue-proxy breaker.
///
/// A lock, not an actor: a free slot is taken without suspending, so a request does not hop to
/// another executor (and often another thread) to ask. Only waiting suspends.
final class SlotLimiter: Sendable {
    enum Refusal: Error, Sendable, Equatable {
        case full
        case timedOut
        /// The waiting task was cancelled (an outer timeout gave up on it).
        case cancelled
    }

    private struct Waiter: Sendable {
        var id: Int
        var continuation: CheckedContinuation<Void, Error>
        var timer: Task<Void, Never>?
    }

    private struct State: Sendable {
        var held = 0
        var waiters: [Waiter] = []
        var nextID = 0
        /// Waiters between their first look and their place in the queue, and those of them whose
        /// task was cancelled meanwhile (refused when they get there).
        var undecided: Set<Int> = []
        var cancelled: Set<Int> = []
    }

    /// `Int.max`: unlimited.
    let slots: Int
    let queueDepth: Int
    private let state = NIOLockedValueBox(State())

    init(slots: Int, queueDepth: Int) {
        self.slots = slots
        self.queueDepth = queueDepth
    }

    var held: Int { state.withLockedValue { $0.held } }
    var waiting: Int { state.withLockedValue { $0.waiters.count } }

    /// A slot, now or after waiting at most `timeout` (nil: as long as it takes).
    func acquire(timeout: Duration?) async throws {
        let slots = slots
        let granted = state.withLockedValue { s -> Bool in
            guard s.held < slots else { return false }
            s.held += 1
            return true
        }
        if granted { return }
        let id = state.withLockedValue { s -> Int in
            s.nextID += 1
            s.undecided.insert(s.nextID)
            return s.nextID
        }
        let depth = queueDepth
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                // Decided again under the lock: a slot may have come free since the first look.
                enum Now { case granted, full, cancelled, waiting }
                let now = state.withLockedValue { s -> Now in
                    s.undecided.remove(id)
                    if s.cancelled.remove(id) != nil { return .cancelled }
                    if s.held < slots {
                        s.held += 1
                        return .granted
                    }
                    guard s.waiters.count < depth else { return .full }
                    s.waiters.append(Waiter(id: id, continuation: c, timer: nil))
                    return .waiting
                }
                switch now {
                case .granted: c.resume()
                case .full: c.resume(throwing: Refusal.full)
                case .cancelled: c.resume(throwing: Refusal.cancelled)
                case .waiting:
                    guard let timeout else { return }
                    let timer = Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        if !Task.isCancelled { self?.expire(id, because: .timedOut) }
                    }
                    let kept = state.withLockedValue { s -> Bool in
                        guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return false }
                        s.waiters[i].timer = timer
                        return true
                    }
                    // Handed a slot before the timer was set.
                    if !kept { timer.cancel() }
                }
            }
        } onCancel: {
            expire(id, because: .cancelled)
        }
    }

    /// The slot goes straight to the oldest waiter, or back to the pool.
    func release() {
        let next = state.withLockedValue { s -> Waiter? in
            if s.waiters.isEmpty {
                s.held = max(0, s.held - 1)
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.timer?.cancel()
        next?.continuation.resume()
    }

    /// A waiter's wait ends without a slot. A cancellation that comes before the waiter is queued is
    /// remembered, so that it is refused when it gets there.
    private func expire(_ id: Int, because reason: Refusal) {
        let waiter = state.withLockedValue { s -> Waiter? in
            guard let i = s.waiters.firstIndex(where: { $0.id == id }) else {
                if reason == .cancelled, s.undecided.contains(id) { s.cancelled.insert(id) }
                return nil
            }
            return s.waiters.remove(at: i)
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(throwing: reason)
    }
}
