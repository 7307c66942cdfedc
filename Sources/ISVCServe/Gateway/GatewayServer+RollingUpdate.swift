import Foundation
import ISVCCore

/// A Standard-mode Deployment whose pod template an edit changed rolls as Kubernetes rolls it: a new
/// ReplicaSet (a runtime of its own, replicas `<deployment>-<hash>-<n>`) grows and the old one
/// shrinks by the Deployment's `maxSurge` and `maxUnavailable`; meanwhile the ready replicas of
/// both are the Service's endpoints, as the Service selects the pods of both ReplicaSets.
extension GatewayServer {
    /// The runtime behind a host, and the old ReplicaSet's while a rolling update runs.
    func workloadRuntimes(for host: String) -> (runtime: WorkloadRuntime?, outgoing: WorkloadRuntime?) {
        serving.withLockedValue { ($0.runtimes[host], $0.rolling[host]?.old) }
    }

    /// Runs one rolling update to its end: scales the two runtimes a step at a time as their replicas
    /// become ready, then drains what is left of the old one and gives the new one back to its
    /// autoscaler. Ends early when cancelled (a newer edit took over).
    func roll(host: String, new: WorkloadRuntime, old: WorkloadRuntime) async {
        let strategy = new.workload.strategy ?? DeploymentStrategy()
        let replicas = new.workload.autoscaling.minScale
        let name = new.workload.name
        var sizes = (new: 0, old: await old.desiredReplicas)
        await old.pin(sizes.old)
        let limits = strategy.limits(replicas: replicas)
        logger.info(
            "rolling update \(name): \(strategy.recreate ? "Recreate" : "RollingUpdate, maxSurge \(limits.surge), maxUnavailable \(limits.unavailable)"), \(replicas) replicas"
        )
        while !Task.isCancelled {
            let ready = (new: new.readyEndpoints.count, old: old.readyEndpoints.count)
            if sizes.old == 0, ready.old == 0, ready.new >= replicas { break }
            let next = strategy.next(replicas: replicas, new: sizes.new, old: sizes.old, newReady: ready.new, oldReady: ready.old)
            if next != sizes {
                sizes = next
                await old.pin(sizes.old)
                await new.pin(sizes.new)
                logger.info(
                    "rolling update \(name): new ReplicaSet \(sizes.new) (\(ready.new) ready), old \(sizes.old) (\(ready.old) ready)")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        guard !Task.isCancelled else { return }
        serving.withLockedValue { state in
            if state.rolling[host]?.old === old { state.rolling[host] = nil }
        }
        await new.pin(nil)
        await old.retire()
        logger.info("rolling update \(name): done")
    }

    /// A short stable hash of a workload's pod (the part of a ReplicaSet's name Kubernetes derives from
    /// the pod template): FNV-1a of its container, six hex digits.
    static func templateHash(_ workload: ServePlan.Workload) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONWriter.write(workload.container).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(String(hash, radix: 16).suffix(6))
    }
}
