import Foundation

/// Envoy's router for one hop (`router.cc`, with `retry_state_impl.cc`): attempts until one is
/// final, under the retry policy's conditions, jittered backoff and previous-hosts predicate and the
/// cluster's `max_retries`, with the route timeout bounding the attempts and the waits between them.
///
/// A value with its clock, random source and sleep as properties: the gateway uses the continuous
/// clock and `Task.sleep`, and tests run the loop against a fake clock, so its timing is checked
/// without sockets or waiting.
struct RetryLoop: Sendable {
    /// The route's retry policy; nil for a single attempt.
    var retry: RetryPolicy?
    /// The route timeout in seconds, over every attempt and wait; nil for none.
    var routeTimeout: Double?
    /// The cluster's circuit breakers, whose `max_retries` bounds the retries in progress.
    var breaker: CircuitBreaker?
    var now: @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    /// A value uniform in [0, upper): the backoff's jitter.
    var random: @Sendable (_ upper: Double) -> Double = { Double.random(in: 0..<$0) }
    var sleep: @Sendable (_ until: ContinuousClock.Instant) async -> Void = { try? await Task.sleep(until: $0, clock: .continuous) }

    /// How the hop ended: the answer of its last attempt, or the route timeout (504).
    enum Ending: Sendable {
        case answer(Attempt)
        case routeTimeout
    }

    /// What happened between attempts, for the metrics.
    enum Event: Sendable, Equatable {
        /// A retry was sent.
        case retry
        /// The circuit breakers held a retry back; the last answer stands.
        case overflow
    }

    /// Runs attempts until one is final. `attempt` gets the attempt's time limit and the endpoints
    /// tried so far (empty without the previous-hosts predicate).
    func run(
        _ attempt: (_ limit: AttemptLimit, _ tried: Set<String>) async -> Attempt,
        event: (Event) -> Void = { _ in }
    ) async -> Ending {
        let routeDeadline = routeTimeout.map { now() + .seconds($0) }
        var tried: Set<String> = []
        var retries = 0
        while true {
            let perTry = retry?.perTryTimeout.map { now() + .seconds($0) }
            let result = await attempt(
                AttemptLimit(route: routeDeadline, perTry: perTry),
                retry?.previousHosts == true ? tried : [])
            if retries > 0 { breaker?.retryDone() }
            if let endpoint = result.endpoint { tried.insert(endpoint) }
            if case .routeTimeout = result.outcome { return .routeTimeout }
            guard let retry, retries < retry.numRetries, let outcome = result.retryOutcome, retry.covers(outcome) else {
                return .answer(result)
            }
            if let breaker, !breaker.startRetry() {
                event(.overflow)
                return .answer(result)
            }
            retries += 1
            event(.retry)
            // A streamed answer being retried is dropped and its upstream request ended, as Envoy resets it.
            result.stream?.cancel()
            let wait = Duration.seconds(retry.backoff(retry: retries, random: random))
            if let routeDeadline, now() + wait >= routeDeadline {
                breaker?.retryDone()
                await sleep(routeDeadline)
                return .routeTimeout
            }
            await sleep(now() + wait)
        }
    }
}
