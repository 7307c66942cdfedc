import ISVCCore
import Testing

@testable import ISVCServe

/// Kubernetes' rolling update arithmetic (pkg/controller/deployment/rolling.go), stepped with pods
/// that become ready at once: the ReplicaSets' sizes at each step, and the bounds it keeps.
@Suite("Deployment strategy (rolling update)")
struct DeploymentStrategyTests {
    /// Every (new, old) size until the old ReplicaSet is gone, pods ready as soon as they exist.
    static func steps(_ strategy: DeploymentStrategy, replicas: Int) -> [(new: Int, old: Int)] {
        var sizes = (new: 0, old: replicas)
        var out: [(new: Int, old: Int)] = []
        for _ in 0..<100 {
            let next = strategy.next(replicas: replicas, new: sizes.new, old: sizes.old, newReady: sizes.new, oldReady: sizes.old)
            if next == sizes { break }
            sizes = next
            out.append(sizes)
        }
        return out
    }

    @Test("3 replicas, 25 %/25 %: one surge pod, none unavailable: 1/3, 1/2, 2/2, 2/1, 3/1, 3/0")
    func defaults() {
        let s = DeploymentStrategy(nil)
        #expect(s.limits(replicas: 3) == (1, 0))
        let steps = Self.steps(s, replicas: 3)
        #expect(steps.map { "\($0.new)/\($0.old)" } == ["1/3", "1/2", "2/2", "2/1", "3/1", "3/0"])
        #expect(steps.allSatisfy { $0.new + $0.old <= 4 && $0.new + $0.old >= 3 })
    }

    @Test("10 replicas, maxSurge 3, maxUnavailable 20 %: never more than 13 pods, never fewer than 8 ready")
    func bounds() {
        let s = DeploymentStrategy(["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 3, "maxUnavailable": "20%"]])
        #expect(s.limits(replicas: 10) == (3, 2))
        let steps = Self.steps(s, replicas: 10)
        #expect(steps.last.map { $0 == (10, 0) } == true, "\(steps)")
        #expect(steps.allSatisfy { $0.new + $0.old <= 13 && $0.new + $0.old >= 8 }, "\(steps)")
    }

    @Test("pods that are not ready hold the old ReplicaSet back")
    func waitsForReady() {
        let s = DeploymentStrategy()
        // New ReplicaSet at 1 but not ready: with none unavailable allowed, the old one keeps 3.
        #expect(s.next(replicas: 3, new: 1, old: 3, newReady: 0, oldReady: 3) == (1, 3))
        // An old pod that is not ready goes first.
        #expect(s.next(replicas: 4, new: 1, old: 4, newReady: 0, oldReady: 3) == (1, 3))
    }

    @Test("Recreate: the old ReplicaSet goes to 0 first; maxSurge and maxUnavailable 0 still move one at a time")
    func recreateAndZero() {
        let recreate = DeploymentStrategy(["type": "Recreate"])
        #expect(recreate.next(replicas: 2, new: 0, old: 2, newReady: 0, oldReady: 2) == (0, 0))
        #expect(recreate.next(replicas: 2, new: 0, old: 0, newReady: 0, oldReady: 0) == (2, 0))
        let zero = DeploymentStrategy(maxSurge: "0", maxUnavailable: "0%")
        #expect(zero.limits(replicas: 2) == (0, 1))
        #expect(Self.steps(zero, replicas: 2).map { "\($0.new)/\($0.old)" } == ["0/1", "1/1", "1/0", "2/0"])
    }
}
