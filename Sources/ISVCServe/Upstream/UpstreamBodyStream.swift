import NIOConcurrencyHelpers
import NIOCore

/// The body of an upstream answer passed on as it arrives (server-sent events, or any answer without
/// a Content-Length), as Envoy, Knative's activator and queue-proxy (Go reverse proxies that flush)
/// pass them: the client's exchange hands the answer over at its head, and each part the replica
/// sends is read from the connection only as the consumer (the response writer) takes the one
/// before, a few parts ahead at most (the connection stops reading meanwhile).
///
/// The stream ends once: its last part taken, its connection failed or timed out, or its consumer
/// gone (cancelled, or dropped without reading, as a retried or mirrored answer is). Then its
/// `whenDone` actions run: what a request holds for as long as its answer flows (the queue-proxy's
/// slot, the circuit breaker's, the in-flight counts, the drain's count) is let go there. A stream
/// that ends before its last part closes its upstream connection, so the replica sees the client go.
public final class UpstreamBodyStream: Sendable {
    public typealias Parts = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Control
    >

    /// The parts, until the consumer takes them.
    private let parts: NIOLockedValueBox<Parts?>
    let control: Control

    init(parts: Parts, control: Control) {
        self.parts = NIOLockedValueBox(parts)
        self.control = control
    }

    /// The parts, for the one consumer; nil once taken or cancelled.
    public func take() -> Parts? {
        parts.withLockedValue { p in
            defer { p = nil }
            return p
        }
    }

    /// Runs `action` once the stream has ended (at once if it has).
    public func whenDone(_ action: @escaping @Sendable () -> Void) { control.whenDone(action) }

    /// Ends the stream now: its connection is closed; a consumer reading it gets an error.
    public func cancel() {
        control.cancel()
        // Untaken, the parts' sequence ends with its last reference (and runs the actions).
        _ = take()
    }

    /// The body must end by `deadline` (an outer hop's route timeout); past it the connection is closed
    /// and the consumer gets `UpstreamHTTPClient.Failure.timeout`.
    public func limit(until deadline: ContinuousClock.Instant) {
        control.limit(NIODeadline.now() + TimeAmount(deadline - ContinuousClock.now))
    }

    /// Reads the stream to its end and drops what it reads (a mirrored answer, as Envoy's shadow reads it).
    public func drain() async {
        guard let parts = take() else { return }
        do {
            for try await _ in parts {}
        } catch {}
    }

    public var isDone: Bool { control.isDone }

    /// The producer's side: what the connection does when the consumer wants more or is gone, and the
    /// actions run when the stream ends. Its callbacks come from any thread.
    public final class Control: NIOAsyncSequenceProducerDelegate, Sendable {
        private struct State {
            var actions: [@Sendable () -> Void] = []
            var done = false
        }
        private let state = NIOLockedValueBox(State())
        private let onDemand: @Sendable () -> Void
        private let onEnd: @Sendable () -> Void
        private let onLimit: @Sendable (NIODeadline) -> Void

        /// `onDemand`: read on; `onEnd`: the consumer is done (close the connection unless the body
        /// ended); `onLimit`: an earlier deadline for the body.
        init(
            onDemand: @escaping @Sendable () -> Void, onEnd: @escaping @Sendable () -> Void,
            onLimit: @escaping @Sendable (NIODeadline) -> Void
        ) {
            self.onDemand = onDemand
            self.onEnd = onEnd
            self.onLimit = onLimit
        }

        public func produceMore() { onDemand() }

        public func didTerminate() {
            onEnd()
            let actions = state.withLockedValue { s -> [@Sendable () -> Void] in
                guard !s.done else { return [] }
                s.done = true
                defer { s.actions.removeAll() }
                return s.actions
            }
            for action in actions { action() }
        }

        func whenDone(_ action: @escaping @Sendable () -> Void) {
            let now = state.withLockedValue { s -> Bool in
                if s.done { return true }
                s.actions.append(action)
                return false
            }
            if now { action() }
        }

        func cancel() { onEnd() }
        func limit(_ deadline: NIODeadline) { onLimit(deadline) }
        var isDone: Bool { state.withLockedValue { $0.done } }
    }
}
