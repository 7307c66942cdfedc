import Foundation
import ISVCCore
import Logging

/// One `isvc serve` run over time: the compiled state the gateway serves, and the edits applied to it
/// as a cluster applies `kubectl apply`. An edit is compiled with the served state as `--previous`, so
/// Knative's revisions and KServe's canary traffic come out as in the cluster; an edit with errors is
/// reported and changes nothing (the old plan keeps serving). A Route with
/// `serving.knative.dev/rollout-duration` moves its traffic to a new revision in Knative's steps.
public actor ServeSession {
    /// The input options `isvc compile` takes, which serve takes too.
    public struct Settings: Sendable {
        public var namespace = "default"
        public var strict = false
        public var mode: DeploymentMode?
        public init() {}
    }

    /// What an edit did.
    public enum Outcome: Sendable {
        /// The compiled objects are the same: nothing to apply.
        case unchanged
        /// The edit does not compile (or its security settings cannot be loaded); nothing changed.
        case rejected([String])
        /// Applied: the `isvc diff --summary` of the change, which workloads were kept, started and
        /// drained, and the edit's warnings.
        case applied(summary: String, GatewayServer.Applied, warnings: [String])
    }

    public nonisolated let gateway: GatewayServer
    let settings: Settings
    let logger: Logger
    /// The compiled objects served now: the previous state of the next edit.
    public private(set) var objects: [Value]
    /// The last edit's plan, as it is once every rollout is done.
    private var steady: ServePlan
    /// Gradual rollouts under way, by Route (`namespace/name`), with the time each started.
    public private(set) var rollouts: [String: TrafficRollout] = [:]
    private var rolloutStarts: [String: ContinuousClock.Instant] = [:]
    private var stepper: Task<Void, Never>?

    /// Compiles `sources` as `isvc compile` would, after `previous` (compiled objects) when given.
    public static func compile(
        _ sources: [InputLoader.Source], settings: Settings, previous: PreviousState?
    )
        -> (result: Compiler.Result, diagnostics: Diagnostics)
    {
        let diagnostics = Diagnostics(strict: settings.strict)
        var options = Compiler.Options()
        options.defaultNamespace = settings.namespace
        options.mode = settings.mode
        options.previous = previous
        let result = Compiler.compile(sources, options: options, diagnostics: diagnostics)
        let served = Compiler.leavingOutLLMServices(
            result, by: "isvc serve", diagnostics: diagnostics, why: "prefill/decode LLMInferenceServices"
        ) { $0.spec.prefill != nil }
        return (served, diagnostics)
    }

    /// A session serving `result` (compiled without errors) through `gateway`, built from its plan.
    public init(serving result: Compiler.Result, gateway: GatewayServer, settings: Settings, logger: Logger) {
        self.gateway = gateway
        self.settings = settings
        self.logger = logger
        objects = result.plan.objects.map(\.body)
        steady = gateway.plan
    }

    /// Compiles the edited input against what is served and applies the difference.
    public func apply(_ sources: [InputLoader.Source]) async -> Outcome {
        // A rollout's steps wait while an edit is applied; the edit may start, stack or end rollouts.
        stepper?.cancel()
        await stepper?.value
        stepper = nil
        defer { startStepping() }
        let started = ContinuousClock.now
        let previous = PreviousState(objects: objects.map(Quantities.normalized))
        let (result, diagnostics) = Self.compile(sources, settings: settings, previous: previous)
        guard !diagnostics.hasErrors else { return .rejected(diagnostics.sorted.map(\.formatted)) }
        let next = result.plan.objects.map(\.body)
        let report = DiffReport.make(old: objects, new: next)
        guard report.changed else { return .unchanged }
        let plan: ServePlan
        do {
            plan = try ServePlan(result)
            try await plan.security.prepare()
        } catch {
            return .rejected(["\(error)"])
        }
        let served = gateway.plan
        let before = rollouts
        rollouts = Self.rollouts(from: objects, to: next, under: rollouts, served: served)
        for key in rollouts.keys where before[key]?.newest != rollouts[key]?.newest { rolloutStarts[key] = started }
        rolloutStarts = rolloutStarts.filter { rollouts[$0.key] != nil }
        steady = plan
        objects = next
        let applied = await gateway.apply(stepped(plan, served: served))
        for key in rollouts.keys.sorted() where rollouts[key]?.nextStep == nil {
            let elapsed = ContinuousClock.now - (rolloutStarts[key] ?? started)
            rollouts[key]?.observeReady(after: Self.seconds(elapsed))
        }
        return .applied(
            summary: report.text(color: false, objectDiffs: false), applied,
            warnings: diagnostics.sorted.map(\.formatted))
    }

    /// `steady` with every rollout's split in its routes, and the older revisions it still sends
    /// traffic to (their workloads and clusters, from what is served now).
    private func stepped(_ steady: ServePlan, served: ServePlan) -> ServePlan {
        var plan = steady
        for (key, rollout) in rollouts.sorted(by: { $0.key < $1.key }) {
            let host = { (revision: String) in "\(revision).\(rollout.namespace).svc.cluster.local" }
            let cluster = { (revision: String) in "outbound|80||\(host(revision))" }
            var shares: [GatewayRouter.SplitShare] = []
            for share in rollout.revisions {
                guard let config = plan.router.clusters[cluster(share.revision)] ?? served.router.clusters[cluster(share.revision)] else {
                    continue
                }
                if plan.workloads[host(share.revision)] == nil {
                    plan.workloads[host(share.revision)] = served.workloads[host(share.revision)]
                }
                shares.append(.init(cluster: cluster(share.revision), config: config, revision: share.revision, percent: share.percent))
            }
            plan.router = plan.router.splitting(cluster(rollout.newest), revision: rollout.newest, into: shares)
            plan.traffic.append("rollout \(key): \(rollout.description)")
        }
        return plan
    }

    /// Takes the rollouts' steps as they fall due, applying each split; when every rollout is done,
    /// the steady plan (the older revisions are then drained).
    private func startStepping() {
        guard stepper == nil, !rollouts.isEmpty else { return }
        stepper = Task { await self.stepping() }
    }

    private func stepping() async {
        while !Task.isCancelled, !rollouts.isEmpty {
            let now = ContinuousClock.now
            let due = rollouts.compactMap { key, r in r.nextStep.map { (rolloutStarts[key] ?? now) + .seconds($0) } }.min()
            guard let due else { return }
            try? await Task.sleep(until: due, clock: .continuous)
            guard !Task.isCancelled else { return }
            let served = gateway.plan
            for key in rollouts.keys.sorted() {
                guard let start = rolloutStarts[key] else { continue }
                rollouts[key]?.step(at: Self.seconds(ContinuousClock.now - start))
                if let r = rollouts[key] {
                    logger.info("rollout \(key): \(r.description)\(r.done ? " (done)" : "")")
                }
            }
            rollouts = rollouts.filter { !$0.value.done }
            rolloutStarts = rolloutStarts.filter { rollouts[$0.key] != nil }
            await gateway.apply(stepped(steady, served: served))
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The latest-revision target of each Knative Route that has a rollout duration: its namespace,
    /// share and revision (the configuration's newest).
    struct LatestTarget: Equatable {
        var namespace: String
        var percent: Int
        var revision: String
        var durationSeconds: Int
    }

    static func latestTargets(_ objects: [Value]) -> [String: LatestTarget] {
        var targets: [String: LatestTarget] = [:]
        for route in objects where route["kind"]?.string == "Route" && route["apiVersion"]?.string == "serving.knative.dev/v1" {
            let namespace = route[path: ["metadata", "namespace"]]?.string ?? ""
            let name = route[path: ["metadata", "name"]]?.string ?? ""
            let duration = route[path: ["metadata", "annotations", Keys.knRolloutDuration]]?.string.flatMap(Durations.seconds) ?? 0
            let traffic = route[path: ["spec", "traffic"]]?.array ?? []
            guard
                let target = traffic.first(where: { $0["latestRevision"] == .bool(true) && $0["tag"] == nil })
                    ?? traffic.first(where: { $0["latestRevision"] == .bool(true) }),
                let configuration = target["configurationName"]?.string
            else { continue }
            let newest = objects.filter {
                $0["kind"]?.string == "Revision" && $0[path: ["metadata", "namespace"]]?.string == namespace
                    && $0[path: ["metadata", "labels", Keys.knConfiguration]]?.string == configuration
            }.compactMap { $0[path: ["metadata", "name"]]?.string }.max()
            guard let newest else { continue }
            targets["\(namespace)/\(name)"] = LatestTarget(
                namespace: namespace, percent: target["percent"]?.int ?? 0,
                revision: newest, durationSeconds: duration)
        }
        return targets
    }

    /// The rollouts after an edit from `old` to `new` objects: one starts where a Route with a rollout
    /// duration has a new latest revision for a target of more than 1 %; one under way goes on (its
    /// share adjusted to the target's), stacks when yet another revision comes, and ends when the
    /// duration or the target goes.
    static func rollouts(
        from old: [Value], to new: [Value], under current: [String: TrafficRollout],
        served: ServePlan
    ) -> [String: TrafficRollout] {
        let before = latestTargets(old), after = latestTargets(new)
        var next: [String: TrafficRollout] = [:]
        for (key, target) in after where target.durationSeconds > 0 && target.percent > 1 {
            if var running = current[key] {
                if running.newest == target.revision {
                    running.adjust(to: target.percent)
                    next[key] = running
                } else if let stacked = TrafficRollout(
                    to: target.revision, from: running.revisions, namespace: target.namespace,
                    percent: target.percent, durationSeconds: target.durationSeconds)
                {
                    next[key] = stacked
                }
            } else if let was = before[key], was.revision != target.revision, was.percent > 0,
                served.workloads["\(was.revision).\(was.namespace).svc.cluster.local"] != nil,
                let started = TrafficRollout(
                    to: target.revision, from: [.init(revision: was.revision, percent: was.percent)],
                    namespace: target.namespace, percent: target.percent,
                    durationSeconds: target.durationSeconds)
            {
                next[key] = started
            }
        }
        return next
    }
}
