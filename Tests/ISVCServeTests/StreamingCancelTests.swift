import Foundation
import LoopbackSupport
import NIOConcurrencyHelpers
import Testing

@testable import ISVCServe

/// What ends a stream early through `isvc serve`: the client going away (the replica's request is
/// ended at once, not at its next token) and a route timeout (Envoy's: until the end of the
/// response), while Knative's revision timeout lets a begun stream finish.
@Suite("Streaming through serve: cancellation and timeouts", .serialized)
struct StreamingCancelTests {
    typealias S = StreamingServeTests

    @Test(
        "a client that goes away mid-stream ends the replica's request at once (HTTP/1.1 close, h2c stream reset)",
        .timeLimit(.minutes(15)))
    func clientGoesAway() async throws {
        // 1.5 s between tokens: a gateway that noticed only when writing the next token would take that long.
        try await ServeLiveTests.withGateway(S.llm("gone", ttft: 100, tpot: 1500)) { port, gateway in
            let (host, replica) = try await S.endpoints(gateway, "gone")
            let body = S.completion("gone", tokens: 20)
            let http1 = await SSEClient.post(port: port, host: host, path: "/v1/completions", body: body, stopAfter: 1)
            #expect(http1.status == 200 && http1.events.count == 1, "\(http1.payloads)")
            let afterClose = await S.cancelled(replica, reach: 1, within: .seconds(1))
            #expect(afterClose != nil, "the replica did not see the HTTP/1.1 client go within 1 s")

            let afterReset = NIOLockedValueBox<Duration?>(nil)
            let h2 = try await SSEClient.postH2C(port: port, host: host, path: "/v1/completions", body: body, stopAfter: 1) {
                // The connection stays open: only the stream was reset.
                afterReset.withLockedValue { $0 = nil }
                let took = await S.cancelled(replica, reach: 2, within: .seconds(1))
                afterReset.withLockedValue { $0 = took }
            }
            #expect(h2.status == 200 && h2.events.count == 1, "\(h2.payloads)")
            #expect(afterReset.withLockedValue { $0 } != nil, "the replica did not see the h2c stream reset within 1 s")
            print(
                "cancellation reached the replica \(afterClose.map { "\($0)" } ?? "-") after the HTTP/1.1 close, "
                    + "\(afterReset.withLockedValue { $0 }.map { "\($0)" } ?? "-") after the h2c reset")
            #expect(await S.counter(replica, "isvc_sim_finished_total") == 0)
            // Nothing stays held for the ended streams.
            let runtime = try #require(gateway.runtimes.first { $0.key.hasPrefix("gone-predictor") }?.value)
            var idle = false
            for _ in 0..<50 where !idle {
                idle = runtime.readyEndpoints.allSatisfy { $0.queue.active == 0 }
                if !idle { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(idle, "a queue-proxy slot is still held")
        }
    }

    /// Routes for `cut`: `cut-direct` to the revision with a 1 s route timeout, `cut-local` through
    /// the local gateway with a 1 s route timeout on the outer hop.
    static let routes = """
        ---
        \(TrafficLiveTests.virtualService(
            "cut-direct", host: "cut-direct.models.example.com",
            http: """
                    - timeout: 1s
                      route:
                        - destination:
                            host: cut-predictor-00001.default.svc.cluster.local
                """))
        ---
        \(TrafficLiveTests.virtualService(
            "cut-local", host: "cut-local.models.example.com",
            http: """
                    - timeout: 1s
                      rewrite:
                        authority: cut-predictor.default.svc.cluster.local
                      route:
                        - destination:
                            host: knative-local-gateway.istio-system.svc.cluster.local
                """))
        """

    @Test(
        "timeouts: the revision timeout (1 s) lets a begun 2 s stream finish; a 1 s route timeout cuts it, also through the local gateway",
        .timeLimit(.minutes(15)))
    func timeouts() async throws {
        let yaml = S.llm("cut", ttft: 100, tpot: 200, timeout: 1) + "\n" + Self.routes
        try await ServeLiveTests.withGateway(yaml) { port, gateway in
            let (host, replica) = try await S.endpoints(gateway, "cut")
            let body = S.completion("cut", tokens: 10)
            let whole = await SSEClient.post(port: port, host: host, path: "/v1/completions", body: body)
            #expect(whole.complete && whole.payloads.count == 11, "\(whole.status) \(whole.payloads)")
            #expect((whole.events.last?.at ?? 0) > 1.5, "\(whole.events.map(\.at))")
            var cancelled = 0
            for front in ["cut-direct.models.example.com", "cut-local.models.example.com"] {
                let cut = await SSEClient.post(port: port, host: front, path: "/v1/completions", body: body)
                #expect(cut.status == 200, "\(front): \(cut.status) \(cut.body)")
                #expect(!cut.complete, "\(front): the stream was not cut")
                #expect(cut.events.count >= 3 && cut.events.count < 8, "\(front): \(cut.events.map(\.at))")
                #expect(cut.events.allSatisfy { $0.at < 1.2 }, "\(front): \(cut.events.map(\.at))")
                cancelled += 1
                #expect(await S.cancelled(replica, reach: cancelled, within: .seconds(2)) != nil, "\(front)")
            }
        }
    }
}
