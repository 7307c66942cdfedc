import Foundation
import Hummingbird
import ISVCCore
import Logging
import LoopbackSupport
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing

@testable import ISVCServe

/// `isvc serve --watch`'s core: edits applied to a running gateway as a cluster applies them, under
/// steady load, with every answer counted (echo-backend.py replicas that name their revision).
@Suite("Serve, live edits", .serialized)
struct LiveEditTests {
    /// The InferenceService at one step of a rollout: `backend` is the name its replicas answer with.
    static func isvc(
        backend: String, canary: Int? = nil, rolloutDuration: String? = nil, standard: Bool = false,
        replicas: Int = 1
    ) -> String {
        let annotations =
            (rolloutDuration.map { ["serving.knative.dev/rollout-duration: \"\($0)\""] } ?? [])
            + (standard ? ["serving.kserve.io/deploymentMode: Standard"] : [])
        return """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: editme
            \(annotations.isEmpty ? "" : "  annotations:\n" + annotations.map { "    " + $0 }.joined(separator: "\n"))
            spec:
              predictor:
                minReplicas: \(replicas)
            \(canary.map { "    canaryTrafficPercent: \($0)" } ?? "")
                containers:
                  - name: kserve-container
                    image: local/echo
                    command: [python3, \(TestTools.root.appendingPathComponent("scripts/echo-backend.py").path)]
                    args: ["$(PORT)", "\(backend)", "300"]
            """
    }

    /// Answers seen by the load: count per backend name, and every failure (status and body).
    final class Tally: Sendable {
        private let state = NIOLockedValueBox<(answers: [String: Int], failures: [String])>(([:], []))
        func record(_ r: Loopback.Response?) {
            state.withLockedValue { s in
                guard let r, r.status == 200,
                    let json = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any],
                    let backend = json["backend"] as? String
                else {
                    s.failures.append(r.map { "\($0.status) \($0.body.prefix(200))" } ?? "no answer")
                    return
                }
                s.answers[backend, default: 0] += 1
            }
        }
        /// The answers since the last call, and every failure so far.
        func take() -> (answers: [String: Int], failures: [String]) {
            state.withLockedValue { s in
                defer { s.answers = [:] }
                return s
            }
        }
    }

    /// Clients on threads of their own, each sending requests one after another until `stop`.
    static func load(port: Int, host: String, clients: Int, tally: Tally, stop: NIOLockedValueBox<Bool>) -> [Thread] {
        (0..<clients).map { _ in
            let thread = Thread {
                while !stop.withLockedValue({ $0 }) {
                    tally.record(
                        Loopback.request(
                            port: port, host: host, path: "/v1/models/editme:predict",
                            headers: ["Content-Type": "application/json"], method: "POST",
                            body: Array(#"{"instances": [[1]]}"#.utf8)))
                }
            }
            thread.start()
            return thread
        }
    }

    /// Serves `yaml` with a session, four clients sending requests throughout `body`; then checks that
    /// none failed, stops everything and returns.
    static func underLoad(_ yaml: String, _ body: (ServeSession, GatewayServer, Tally) async throws -> Void) async throws {
        try await LoopbackLock.run {
            let (first, d) = ServeSession.compile(
                [.init(path: "editme.yaml", text: yaml)], settings: ServeSession.Settings(), previous: nil)
            try #require(!d.hasErrors, "\(d.all.map(\.formatted))")
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-edit-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: work) }
            let run = try await ServeRun.start(first, workDirectory: work, logger: Logger(label: "test"))
            let (gateway, session, bound) = (run.gateway, run.session, run.bound.port)
            let tally = Tally()
            let stop = NIOLockedValueBox(false)
            let host = try #require(gateway.plan.modelHosts["editme"])
            let threads = Self.load(port: bound, host: host, clients: 4, tally: tally, stop: stop)
            var failure: (any Error)?
            do { try await body(session, gateway, tally) } catch { failure = error }
            stop.withLockedValue { $0 = true }
            while threads.contains(where: { !$0.isFinished }) { try await Task.sleep(for: .milliseconds(20)) }
            let result = tally.take()
            #expect(result.failures.isEmpty, "\(result.failures.count) requests failed: \(result.failures.prefix(5))")
            await run.stop()
            if let failure { throw failure }
        }
    }

    @Test(
        "A canary edit, a rollback, a promotion and a new revision under steady load: 0 requests fail, traffic moves as the routes say",
        .timeLimit(.minutes(15)))
    func editsUnderLoad() async throws {
        try await Self.underLoad(Self.isvc(backend: "v1")) { session, gateway, tally in

            /// Applies one step, lets the load run, and returns the answers seen after the edit took effect.
            func step(_ yaml: String, expect: Set<String>) async throws -> [String: Int] {
                let outcome = await session.apply([.init(path: "editme.yaml", text: yaml)])
                guard case .applied = outcome else {
                    Issue.record("the edit was not applied: \(outcome)")
                    return [:]
                }
                // Requests routed just before the edit may still be answered by the old revision.
                try await Task.sleep(for: .milliseconds(300))
                _ = tally.take()
                try await Task.sleep(for: .seconds(1.5))
                let seen = tally.take().answers
                #expect(Set(seen.keys) == expect, "answers after the edit: \(seen)")
                #expect(seen.values.reduce(0, +) > 50, "the load kept going: \(seen)")
                return seen
            }

            try await Task.sleep(for: .seconds(1))
            #expect(Set(tally.take().answers.keys) == ["v1"])
            // A canary: revision 00002 gets 20 %, 00001 (tag prev) 80 %.
            let canary = try await step(Self.isvc(backend: "v2", canary: 20), expect: ["v1", "v2"])
            let share = Double(canary["v2", default: 0]) / Double(max(1, canary.values.reduce(0, +)))
            #expect(share > 0.05 && share < 0.45, "the canary's share: \(share)")
            // A rollback: canaryTrafficPercent 0 sends everything back to 00001.
            _ = try await step(Self.isvc(backend: "v2", canary: 0), expect: ["v1"])
            // A promotion: 00002 gets 100 %, 00001 is no longer routed and is drained and stopped.
            _ = try await step(Self.isvc(backend: "v2"), expect: ["v2"])
            // A new revision straight away: 00003 gets 100 %, 00002 goes.
            _ = try await step(Self.isvc(backend: "v3"), expect: ["v3"])
            // An edit that fails check changes nothing.
            let broken = await session.apply([.init(path: "editme.yaml", text: Self.isvc(backend: "v4") + "\n    bogus: [")])
            guard case .rejected(let problems) = broken else {
                Issue.record("a broken edit was applied: \(broken)")
                return
            }
            #expect(problems.contains { $0.contains("editme.yaml:") })
            try await Task.sleep(for: .seconds(1))
            #expect(Set(tally.take().answers.keys) == ["v3"])
            // Removed revisions were drained and stopped: only 00003's replica runs.
            try await Task.sleep(for: .seconds(1))
            let hosts = gateway.runtimes.keys.sorted()
            #expect(hosts == ["editme-predictor-00003.default.svc.cluster.local"], "\(hosts)")
        }
    }

    @Test(
        "rollout-duration: a new revision gets 1 % first, then Knative's steps move the rest within the duration; 0 requests fail",
        .timeLimit(.minutes(15)))
    func gradualRollout() async throws {
        try await Self.underLoad(Self.isvc(backend: "v1", rolloutDuration: "4s")) { session, gateway, tally in
            try await Task.sleep(for: .seconds(1))
            _ = tally.take()
            let outcome = await session.apply([.init(path: "editme.yaml", text: Self.isvc(backend: "v2", rolloutDuration: "4s"))])
            guard case .applied = outcome else {
                Issue.record("the edit was not applied: \(outcome)")
                return
            }
            // 4 s, ready within a second: 1 %, then steps of 33 % a second.
            let rollout = try #require(await session.rollouts["default/editme-predictor"])
            #expect(rollout.stepSize == 33 && rollout.stepSeconds == 1, "\(rollout)")
            try await Task.sleep(for: .milliseconds(300))
            let first = tally.take().answers
            let early = Double(first["v2", default: 0]) / Double(max(1, first.values.reduce(0, +)))
            #expect(early < 0.1, "the new revision's share before the first step: \(first)")
            var shares: [Double] = []
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(500))
                let seen = tally.take().answers
                shares.append(Double(seen["v2", default: 0]) / Double(max(1, seen.values.reduce(0, +))))
                if await session.rollouts.isEmpty { break }
            }
            #expect(await session.rollouts.isEmpty, "the rollout ended")
            #expect(shares.contains { $0 > 0.15 && $0 < 0.9 }, "traffic moved in steps: \(shares)")
            try await Task.sleep(for: .seconds(1.5))
            #expect(Set(tally.take().answers.keys) == ["v2"])
            #expect(gateway.runtimes.keys.sorted() == ["editme-predictor-00002.default.svc.cluster.local"])
        }
    }

    @Test(
        "Standard mode: a changed Deployment rolls by maxSurge/maxUnavailable (3 replicas: never fewer than 3 ready, never more than 4); 0 requests fail",
        .timeLimit(.minutes(15)))
    func rollingUpdate() async throws {
        try await Self.underLoad(Self.isvc(backend: "v1", standard: true, replicas: 3)) { session, gateway, tally in
            let host = "editme-predictor.default.svc.cluster.local"
            try await Task.sleep(for: .seconds(1))
            #expect(Set(tally.take().answers.keys) == ["v1"])
            let outcome = await session.apply([.init(path: "editme.yaml", text: Self.isvc(backend: "v2", standard: true, replicas: 3))])
            guard case .applied = outcome else {
                Issue.record("the edit was not applied: \(outcome)")
                return
            }
            var readyCounts: [Int] = []
            var mixed = false
            for _ in 0..<600 {
                let (runtime, outgoing) = gateway.workloadRuntimes(for: host)
                guard let outgoing else { break }
                readyCounts.append((runtime?.readyEndpoints.count ?? 0) + outgoing.readyEndpoints.count)
                if tally.take().answers.count == 2 { mixed = true }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(gateway.workloadRuntimes(for: host).outgoing == nil, "the rolling update ended")
            #expect(readyCounts.allSatisfy { $0 >= 3 && $0 <= 4 }, "ready replicas during the update: \(readyCounts)")
            #expect(readyCounts.contains(4), "a surge replica: \(readyCounts)")
            #expect(mixed, "both ReplicaSets answered during the update")
            try await Task.sleep(for: .seconds(1))
            #expect(Set(tally.take().answers.keys) == ["v2"])
        }
    }
}
