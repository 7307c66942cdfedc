import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Testing

@testable import ISVCCore
@testable import ISVCServe

/// The router's retry loop against a fake clock: backoff, jitter, per-try and route timeouts,
/// retry conditions, previous hosts and `max_retries`, with no sockets and no waiting.
@Suite("Retry loop, fake clock")
struct RetryLoopTests {
    /// A clock that moves only when the loop sleeps; it records each sleep's length in seconds.
    final class FakeClock: Sendable {
        let start = ContinuousClock.now
        private let state = NIOLockedValueBox((offset: Duration.zero, sleeps: [Double](), jitterBounds: [Double]()))

        var now: ContinuousClock.Instant { start + state.withLockedValue { $0.offset } }
        var sleeps: [Double] { state.withLockedValue { $0.sleeps } }
        var jitterBounds: [Double] { state.withLockedValue { $0.jitterBounds } }
        var elapsed: Double { Self.seconds(state.withLockedValue { $0.offset }) }

        func sleep(until instant: ContinuousClock.Instant) {
            state.withLockedValue { s in
                let wait = max(.zero, instant - (start + s.offset))
                s.sleeps.append(Self.seconds(wait))
                s.offset += wait
            }
        }

        func advance(_ seconds: Double) { state.withLockedValue { $0.offset += .seconds(seconds) } }

        /// The jitter source: `fraction` of the interval, recording each interval asked for.
        func random(_ fraction: Double) -> @Sendable (Double) -> Double {
            { [self] upper in
                state.withLockedValue { $0.jitterBounds.append(upper) }
                return upper * fraction
            }
        }

        static func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
    }

    /// A loop over `clock` whose jitter takes `fraction` of each interval.
    static func loop(
        _ retry: RetryPolicy?, routeTimeout: Double? = nil, breaker: CircuitBreaker? = nil,
        clock: FakeClock, fraction: Double = 1
    ) -> RetryLoop {
        RetryLoop(
            retry: retry, routeTimeout: routeTimeout, breaker: breaker, now: { clock.now },
            random: clock.random(fraction), sleep: { clock.sleep(until: $0) })
    }

    /// An attempt that ends with `status` (or fails with `failure`), from `endpoint`.
    static func attempt(_ status: Int, endpoint: String? = nil) -> Attempt {
        Attempt(
            response: Response(status: .init(code: status)), outcome: .answered(.response(status, grpcStatus: nil)),
            endpoint: endpoint)
    }

    static func failed(_ outcome: RetryPolicy.Outcome, endpoint: String? = nil) -> Attempt {
        Attempt(response: Response(status: .serviceUnavailable), outcome: .failed(outcome), endpoint: endpoint)
    }

    static func status(_ ending: RetryLoop.Ending) -> Int? {
        if case .answer(let a) = ending { return a.response.status.code }
        return nil
    }

    @Test("backoff doubles from the base interval to the max interval; every retry is counted")
    func backoffGrowth() async {
        let clock = FakeClock()
        let policy = RetryPolicy(numRetries: 6, conditions: ["5xx"], baseInterval: 0.025)
        var events: [RetryLoop.Event] = []
        var attempts = 0
        let ending = await Self.loop(policy, clock: clock).run(
            { _, _ in
                attempts += 1
                return Self.attempt(503)
            }, event: { events.append($0) })
        #expect(Self.status(ending) == 503)
        #expect(attempts == 7)
        #expect(events == Array(repeating: .retry, count: 6))
        // Envoy's default max interval is 10 x base; the interval stops doubling there.
        #expect(clock.jitterBounds.map { ($0 * 1000).rounded() } == [25, 50, 100, 200, 250, 250])
        #expect(clock.sleeps.map { ($0 * 1000).rounded() } == [25, 50, 100, 200, 250, 250])
    }

    @Test("the wait is the random source's draw within the interval, capped at the max interval")
    func jitter() async {
        let clock = FakeClock()
        let policy = RetryPolicy(numRetries: 3, conditions: ["5xx"], baseInterval: 0.1, maxInterval: 0.3)
        _ = await Self.loop(policy, clock: clock, fraction: 0.5).run { _, _ in Self.attempt(500) }
        #expect(clock.jitterBounds.map { ($0 * 1000).rounded() } == [100, 200, 300])
        #expect(clock.sleeps.map { ($0 * 1000).rounded() } == [50, 100, 150])
    }

    @Test("each attempt's limit is its per-try timeout from its own start, or the route deadline when that is sooner")
    func perTryTimeout() async {
        let clock = FakeClock()
        let policy = RetryPolicy(numRetries: 2, conditions: ["5xx"], perTryTimeout: 1, baseInterval: 0.5, maxInterval: 0.5)
        var limits: [(offset: Double, kind: AttemptLimit.Kind)] = []
        let ending = await Self.loop(policy, routeTimeout: 3.2, clock: clock).run { limit, _ in
            limits.append((FakeClock.seconds(limit.deadline! - clock.start), limit.kind))
            clock.advance(1)  // each attempt runs into its per-try timeout
            return limit.timeout(endpoint: nil)
        }
        // Attempts start at 0, 1.5 and 3.0 s; the third's per-try deadline (4.0) is past the route's (3.2).
        #expect(limits.map { ($0.offset * 10).rounded() / 10 } == [1, 2.5, 3.2])
        #expect(limits.map(\.kind) == [.perTry, .perTry, .route])
        guard case .routeTimeout = ending else { Issue.record("expected the route timeout, got \(ending)"); return }
    }

    @Test("a wait that would end past the route deadline sleeps until it and ends with the route timeout")
    func routeTimeoutDuringBackoff() async {
        let clock = FakeClock()
        let breaker = CircuitBreaker(thresholds: .envoyDefaults)
        let policy = RetryPolicy(numRetries: 5, conditions: ["5xx"], baseInterval: 0.4, maxInterval: 0.4)
        var attempts = 0
        let ending = await Self.loop(policy, routeTimeout: 1, breaker: breaker, clock: clock).run { _, _ in
            attempts += 1
            return Self.attempt(503)
        }
        guard case .routeTimeout = ending else { Issue.record("expected the route timeout, got \(ending)"); return }
        // Attempts at 0, 0.4 and 0.8 s; the third's wait would end at 1.2 s, past the 1 s deadline, so the
        // loop sleeps the remaining 0.2 s and answers with the route timeout.
        #expect(attempts == 3)
        #expect(clock.sleeps.map { ($0 * 10).rounded() / 10 } == [0.4, 0.4, 0.2])
        #expect((clock.elapsed * 10).rounded() / 10 == 1)
        #expect(breaker.retries == 0, "every retry the breakers counted is given back")
    }

    @Test(
        "retry_on decides which outcomes are retried",
        arguments: [
            (["5xx"], RetryPolicy.Outcome.response(503, grpcStatus: nil), true),
            (["gateway-error"], .response(500, grpcStatus: nil), false),
            (["gateway-error"], .response(504, grpcStatus: nil), true),
            (["retriable-4xx"], .response(409, grpcStatus: nil), true),
            (["retriable-4xx"], .response(404, grpcStatus: nil), false),
            (["connect-failure"], .connectFailure, true),
            (["connect-failure"], .reset, false),
            (["reset"], .perTryTimeout, true),
            (["unavailable"], .response(200, grpcStatus: 14), true),
            (["5xx"], .overflow, false),
        ])
    func conditions(_ conditions: [String], outcome: RetryPolicy.Outcome, retried: Bool) async {
        let clock = FakeClock()
        let policy = RetryPolicy(numRetries: 1, conditions: Set(conditions))
        var attempts = 0
        _ = await Self.loop(policy, clock: clock).run { _, _ in
            attempts += 1
            if case .response(let status, let grpc) = outcome {
                return Attempt(response: Response(status: .init(code: status)), outcome: .answered(.response(status, grpcStatus: grpc)))
            }
            return Self.failed(outcome)
        }
        #expect(attempts == (retried ? 2 : 1))
        #expect(clock.sleeps.count == (retried ? 1 : 0))
    }

    @Test("a success, a final answer or no policy ends the loop at once")
    func noRetry() async {
        let clock = FakeClock()
        var attempts = 0
        let policy = RetryPolicy(numRetries: 3, conditions: ["5xx"])
        let ok = await Self.loop(policy, clock: clock).run { _, _ in
            attempts += 1; return Self.attempt(200)
        }
        let final = await Self.loop(policy, clock: clock).run { _, _ in
            attempts += 1
            return Attempt.final(LocalReply(.badGateway, json: "nothing runs here"))
        }
        let single = await Self.loop(nil, clock: clock).run { _, _ in
            attempts += 1; return Self.attempt(503)
        }
        #expect([Self.status(ok), Self.status(final), Self.status(single)] == [200, 502, 503])
        #expect(attempts == 3)
        #expect(clock.sleeps.isEmpty)
    }

    @Test("with the previous-hosts predicate each attempt is told the endpoints tried before it")
    func previousHosts() async {
        for predicate in [true, false] {
            let clock = FakeClock()
            let policy = RetryPolicy(numRetries: 2, conditions: ["5xx"], previousHosts: predicate)
            var seen: [Set<String>] = []
            var n = 0
            _ = await Self.loop(policy, clock: clock).run { _, tried in
                seen.append(tried)
                n += 1
                return Self.attempt(503, endpoint: "10.0.0.\(n)")
            }
            #expect(seen == (predicate ? [[], ["10.0.0.1"], ["10.0.0.1", "10.0.0.2"]] : [[], [], []]))
        }
    }

    @Test("max_retries in progress: a retry the breakers refuse is not sent, and the last answer stands")
    func maxRetries() async {
        let clock = FakeClock()
        let thresholds = ClusterPolicy.Thresholds(maxConnections: 10, maxPendingRequests: 10, maxRequests: 10, maxRetries: 1)
        let breaker = CircuitBreaker(thresholds: thresholds)
        #expect(breaker.startRetry())  // another request's retry holds the only one
        var events: [RetryLoop.Event] = []
        var attempts = 0
        let ending = await Self.loop(RetryPolicy(numRetries: 3, conditions: ["5xx"]), breaker: breaker, clock: clock)
            .run(
                { _, _ in
                    attempts += 1; return Self.attempt(503)
                }, event: { events.append($0) })
        #expect(Self.status(ending) == 503)
        #expect(attempts == 1)
        #expect(events == [.overflow])
        breaker.retryDone()
        let again = await Self.loop(RetryPolicy(numRetries: 3, conditions: ["5xx"]), breaker: breaker, clock: clock)
            .run { _, _ in
                attempts += 1; return Self.attempt(attempts == 2 ? 503 : 200)
            }
        #expect(Self.status(again) == 200)
        #expect(breaker.retries == 0)
    }
}
