import Foundation
import Hummingbird
import ISVCCore
import Logging
import NIOConcurrencyHelpers

/// What the gateway serves at one moment: the plan, a runtime per workload host, the Envoy clusters
/// in front of them and the internal listeners' ports.
struct Serving: Sendable {
    var plan: ServePlan
    /// Workload host -> runtime: the plan's, and those still draining after an edit removed them.
    var runtimes: [String: WorkloadRuntime]
    var upstreams: [String: UpstreamCluster]
    var internalPorts: [String: Int]
    /// Runtimes an edit replaced under a host the new plan still has (a Standard-mode Deployment whose
    /// pods changed): no longer reachable, stopped once drained (or at shutdown).
    var retiring: [WorkloadRuntime] = []
    /// Internal listeners started after the gateway began serving (new `--predictor_host` hosts).
    var listeners: [Task<Void, Never>] = []
    /// Standard-mode Deployments whose pods an edit changed, by host: the old runtime, whose ready
    /// replicas stay endpoints of the host beside the new runtime's while the rolling update runs
    /// (`GatewayServer+RollingUpdate.swift`), and the task that runs it.
    var rolling: [String: (old: WorkloadRuntime, task: Task<Void, Never>?)] = [:]
    /// Which state this is (each applied plan is the next), and how many requests that began under
    /// each state are not answered yet: a workload an edit removed is stopped only when no request
    /// that could have been routed to it is still on its way.
    var generation = 0
    var inFlight: [Int: Int] = [:]

    /// Requests begun under states before `generation` that are not answered yet.
    func inFlight(before generation: Int) -> Int {
        inFlight.reduce(0) { $0 + ($1.key < generation ? $1.value : 0) }
    }
}

extension GatewayServer {
    /// What applying a plan did, for the log: the workloads (by name) kept with their replicas, started,
    /// and drained.
    public struct Applied: Sendable, Equatable {
        public var kept: [String] = []
        public var started: [String] = []
        public var removed: [String] = []
    }

    /// The state that serves `plan`: the runtimes and clusters of `current` that serve the same
    /// workloads with the same policies are kept (their replicas, queues, autoscaler and outlier
    /// state go on); the others are new and not started yet.
    func makeServing(
        _ plan: ServePlan, replacing current: Serving?
    )
        -> (
            next: Serving, fresh: [WorkloadRuntime], replaced: [String: WorkloadRuntime], newHosts: [String],
            rolling: [String: (new: WorkloadRuntime, old: WorkloadRuntime)]
        )
    {
        var ports = current?.internalPorts ?? [:]
        var newHosts: [String] = []
        for host in plan.internalHosts where ports[host] == nil {
            ports[host] = ProcessReplica.freePort()
            newHosts.append(host)
        }
        let addresses = ports.mapValues { "127.0.0.1:\($0)" }
        var runtimes: [String: WorkloadRuntime] = [:]
        var fresh: [WorkloadRuntime] = []
        var replaced: [String: WorkloadRuntime] = [:]
        var rolling: [String: (new: WorkloadRuntime, old: WorkloadRuntime)] = [:]
        for (host, workload) in plan.workloads.sorted(by: { $0.key < $1.key }) {
            var prefix: String?
            if let old = current?.runtimes[host], current?.plan.workloads[host] != nil {
                if old.workload == workload {
                    runtimes[host] = old
                    continue
                }
                if workload.strategy != nil, old.workload.strategy != nil {
                    // A Deployment's new ReplicaSet: its pods get names of their own.
                    prefix = "\(workload.name)-\(Self.templateHash(workload))"
                } else {
                    replaced[host] = old
                }
            }
            let runtime = WorkloadRuntime(
                workload: workload, store: store, internalAddresses: addresses, metrics: metrics,
                native: native, protocolLimits: .init(maxTensorElements: limits.maxTensorElements),
                replicaPrefix: prefix,
                graphStep: { [weak self, name = workload.name] call, timeout in
                    guard let self else { throw GraphRouter.StepCallError(cause: "the gateway is shutting down") }
                    return try await self.sendGraphStep(call, timeout: timeout, from: name)
                }, logger: logger)
            if prefix != nil, let old = current?.runtimes[host] { rolling[host] = (runtime, old) }
            runtimes[host] = runtime
            fresh.append(runtime)
        }
        // Runtimes the plan no longer has: removed revisions or Deployments.
        for (host, old) in current?.runtimes ?? [:] where plan.workloads[host] == nil && current?.plan.workloads[host] != nil {
            replaced[host] = old
        }
        var upstreams: [String: UpstreamCluster] = [:]
        for (name, policy) in plan.router.clusters where !plan.router.isInternal(name) {
            let host = GatewayRouter.serviceHost(ofCluster: name)
            if let old = current?.upstreams[name], old.policy == policy, let runtime = runtimes[host],
                current?.runtimes[host] === runtime
            {
                upstreams[name] = old
            } else {
                upstreams[name] = UpstreamCluster(policy: policy, metrics: metrics, logger: logger)
            }
        }
        var next = current ?? Serving(plan: plan, runtimes: [:], upstreams: [:], internalPorts: [:])
        next.plan = plan
        next.runtimes = runtimes
        next.upstreams = upstreams
        next.internalPorts = ports
        return (next, fresh, replaced, newHosts, rolling)
    }

    /// Serves `plan` from now on, as a cluster applies a change: new workloads are started and, when
    /// they keep replicas, become ready before any traffic moves to them; then the routes switch at
    /// once (a request already routed finishes where it went); workloads the plan no longer has are
    /// drained (no new request reaches them; those in flight finish) and stopped. Unchanged workloads
    /// are untouched. The plan's security must be prepared (`GatewaySecurity.prepare`). Calls must not
    /// overlap (the serve session applies one edit at a time).
    @discardableResult
    public func apply(_ plan: ServePlan) async -> Applied {
        let current = serving.withLockedValue { $0 }
        var (next, fresh, replaced, newHosts, rolling) = makeServing(plan, replacing: current)
        for host in newHosts.sorted() {
            guard let port = next.internalPorts[host] else { continue }
            next.listeners.append(internalListener(host: host, port: port))
            logger.info(
                "internal address 127.0.0.1:\(port) routes as \(host) (for in-mesh callers: --predictor_host, InferenceGraph steps)")
        }
        // A rolling update's new ReplicaSet starts empty; the update scales it (and the old one).
        for (_, pair) in rolling { await pair.new.pin(0) }
        await withTaskGroup(of: Void.self) { group in
            for runtime in fresh {
                group.addTask {
                    do { try await runtime.start() } catch { self.logger.error("\(error)") }
                }
            }
        }
        var superseded: [WorkloadRuntime] = []
        for (host, pair) in rolling {
            // An update that replaces one still rolling: the older ReplicaSet goes at once (drained).
            if let earlier = next.rolling[host] {
                earlier.task?.cancel()
                superseded.append(earlier.old)
                next.retiring.append(earlier.old)
            }
            next.rolling[host] = (pair.old, nil)
        }
        // Removed hosts stay reachable while they drain: a request routed by the old routes a moment
        // ago still finds its runtime.
        for (host, old) in replaced {
            if next.runtimes[host] == nil { next.runtimes[host] = old } else { next.retiring.append(old) }
        }
        for (name, cluster) in current.upstreams where next.upstreams[name] == nil { next.upstreams[name] = cluster }
        let published = next
        let generation = serving.withLockedValue { state in
            // Requests that began meanwhile stay counted under their state.
            let inFlight = state.inFlight
            state = published
            state.inFlight = inFlight
            state.generation += 1
            return state.generation
        }
        for (host, pair) in rolling {
            let task = Task { await self.roll(host: host, new: pair.new, old: pair.old) }
            serving.withLockedValue { if $0.rolling[host]?.old === pair.old { $0.rolling[host]?.task = task } }
        }
        let draining = Array(replaced.values) + superseded
        let timeout = draining.map { Duration.seconds($0.workload.timeoutSeconds) }.max() ?? .zero
        let goneClusters = Set(current.upstreams.keys).subtracting(plan.router.clusters.keys)
        Task { await self.drain(draining, routedBefore: generation, timeout: timeout, clusters: goneClusters) }
        var applied = Applied()
        let started = Set(fresh.map(ObjectIdentifier.init))
        for runtime in plan.workloads.keys.sorted().compactMap({ next.runtimes[$0] }) {
            if started.contains(ObjectIdentifier(runtime)) {
                applied.started.append(runtime.workload.name)
            } else {
                applied.kept.append(runtime.workload.name)
            }
        }
        applied.removed = replaced.filter { plan.workloads[$0.key] == nil }.map(\.value.workload.name).sorted()
        return applied
    }

    /// Drains the runtimes an edit took out of the routes, stops them, and forgets them: first the
    /// requests that began before the edit finish (at most `timeout`), then each runtime's queues.
    private func drain(_ runtimes: [WorkloadRuntime], routedBefore generation: Int, timeout: Duration, clusters: Set<String>) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, serving.withLockedValue({ $0.inFlight(before: generation) }) > 0 {
            try? await Task.sleep(for: .milliseconds(20))
        }
        await withTaskGroup(of: Void.self) { group in
            for runtime in runtimes {
                group.addTask {
                    await runtime.retire()
                    self.logger.info("\(runtime.workload.name): drained and stopped")
                }
            }
        }
        let gone = Set(runtimes.map(ObjectIdentifier.init))
        serving.withLockedValue { state in
            for (host, runtime) in state.runtimes where gone.contains(ObjectIdentifier(runtime)) && state.plan.workloads[host] == nil {
                state.runtimes[host] = nil
            }
            state.retiring.removeAll { gone.contains(ObjectIdentifier($0)) }
            for name in clusters where state.plan.router.clusters[name] == nil { state.upstreams[name] = nil }
        }
    }

    /// An internal listener started while the gateway serves (for a host an edit added).
    private func internalListener(host: String, port: Int) -> Task<Void, Never> {
        let app = internalApplication(host: host, port: port)
        let logger = logger
        return Task {
            do { try await app.run() } catch { logger.error("internal listener for \(host): \(error)") }
        }
    }
}

extension GatewayServer {
    /// A request begins: the plan it is routed by, and its state's number for `leave`.
    func enter() -> (plan: ServePlan, generation: Int) {
        serving.withLockedValue { state in
            state.inFlight[state.generation, default: 0] += 1
            return (state.plan, state.generation)
        }
    }

    func leave(_ generation: Int) {
        serving.withLockedValue { state in
            let left = (state.inFlight[generation] ?? 1) - 1
            state.inFlight[generation] = left > 0 || generation == state.generation ? left : nil
        }
    }
}
