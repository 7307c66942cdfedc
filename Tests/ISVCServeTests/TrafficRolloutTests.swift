import Testing

@testable import ISVCServe

/// Knative's gradual rollout steps (knative/serving pkg/reconciler/route/traffic/rollout.go), on the
/// cases worked out from its code: the first 1 %, the step size and interval set when the new
/// revision is ready, each step, stacking and a changed share.
@Suite("Traffic rollout (rollout-duration)")
struct TrafficRolloutTests {
    typealias Share = TrafficRollout.Share

    /// Every step's share of the newest revision until the rollout is done, and the times.
    static func run(_ rollout: TrafficRollout) -> (shares: [Int], times: [Double]) {
        var r = rollout
        var shares: [Int] = [], times: [Double] = []
        while let due = r.nextStep, !r.done {
            r.step(at: due)
            shares.append(r.revisions.last?.percent ?? 0)
            times.append(due)
        }
        return (shares, times)
    }

    @Test("100 % from 00001 to 00002 over 60 s, ready after 0.8 s: 1 % at once, then 2 % a second, 50 steps")
    func readyQuickly() throws {
        var r = try #require(
            TrafficRollout(
                to: "r2", from: [Share(revision: "r1", percent: 100)], namespace: "ns", percent: 100,
                durationSeconds: 60))
        #expect(r.revisions == [Share(revision: "r1", percent: 99), Share(revision: "r2", percent: 1)])
        #expect(r.nextStep == nil, "no step before the new revision is ready")
        r.observeReady(after: 0.8)
        #expect(r.stepSize == 2 && r.stepSeconds == 1 && r.nextStep == 1.8)
        let (shares, times) = Self.run(r)
        #expect(shares.count == 50)
        #expect(shares.prefix(3) == [3, 5, 7] && shares.last == 100)
        #expect(abs((times.last ?? 0) - 50.8) < 1e-9)
    }

    @Test("ready after 5 s: steps of 9 % every 5 s, done at 60 s")
    func readySlowly() throws {
        var r = try #require(
            TrafficRollout(
                to: "r2", from: [Share(revision: "r1", percent: 100)], namespace: "ns", percent: 100,
                durationSeconds: 60))
        r.observeReady(after: 5)
        #expect(r.stepSize == 9 && r.stepSeconds == 5)
        let (shares, times) = Self.run(r)
        #expect(shares == [10, 19, 28, 37, 46, 55, 64, 73, 82, 91, 100])
        #expect(times.last == 60)
    }

    @Test("ready after 1.5 s: a 2 s minimum step, 29 steps planned of 99/29 % rounded to 3, so 33 steps")
    func roundedStep() throws {
        var r = try #require(
            TrafficRollout(
                to: "r2", from: [Share(revision: "r1", percent: 100)], namespace: "ns", percent: 100,
                durationSeconds: 60))
        r.observeReady(after: 1.5)
        #expect(r.stepSize == 3)
        #expect(Self.run(r).shares.count == 33)
    }

    @Test("a target of 1 % or less, no duration, or the same revision: no rollout")
    func none() {
        #expect(
            TrafficRollout(to: "r2", from: [Share(revision: "r1", percent: 1)], namespace: "ns", percent: 1, durationSeconds: 60) == nil)
        #expect(
            TrafficRollout(to: "r2", from: [Share(revision: "r1", percent: 100)], namespace: "ns", percent: 100, durationSeconds: 0) == nil)
        #expect(
            TrafficRollout(to: "r1", from: [Share(revision: "r1", percent: 100)], namespace: "ns", percent: 100, durationSeconds: 60) == nil
        )
    }

    @Test("a new revision mid-rollout stacks: 1 % from the newest older revision; steps drain the newest older first")
    func stacking() throws {
        let r = try #require(
            TrafficRollout(
                to: "r3", from: [Share(revision: "r1", percent: 70), Share(revision: "r2", percent: 30)],
                namespace: "ns", percent: 100, durationSeconds: 60))
        #expect(r.revisions == [Share(revision: "r1", percent: 70), Share(revision: "r2", percent: 29), Share(revision: "r3", percent: 1)])
        var stepped = r
        stepped.observeReady(after: 5)  // 9 % a step
        for t in [10.0, 15, 20, 25] { stepped.step(at: t) }
        #expect(stepped.revisions == [Share(revision: "r1", percent: 63), Share(revision: "r3", percent: 37)])
        #expect(stepped.description == "37% r3, 63% r1")
    }

    @Test("the target's share changes mid-rollout: more goes to the newest, less is taken from the oldest")
    func adjusted() throws {
        var r = try #require(
            TrafficRollout(
                to: "r2", from: [Share(revision: "r1", percent: 50)], namespace: "ns", percent: 50,
                durationSeconds: 60))
        #expect(r.revisions == [Share(revision: "r1", percent: 49), Share(revision: "r2", percent: 1)])
        r.adjust(to: 80)
        #expect(r.revisions == [Share(revision: "r1", percent: 49), Share(revision: "r2", percent: 31)])
        r.adjust(to: 20)
        #expect(r.revisions == [Share(revision: "r2", percent: 20)] && r.done)
    }
}
