import Foundation
import ISVCCore
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// One workload running locally: its model provided by the storage initializer, its replicas as
/// processes with a queue-proxy each, the activator that holds requests while the workload has no
/// ready replica, and the KPA that sets the replica count from the measured concurrency.
public actor WorkloadRuntime {
    public enum Failure: Error, Sendable {
        /// The workload has no replica that can take requests (with the reason).
        case unavailable(String)
        /// A request held by the activator waited past the revision timeout for a replica.
        case activationTimedOut
    }

    /// Where a replica answers: a local process's port, or models in the gateway's own process.
    public enum Target: Sendable {
        case port(Int)
        case inProcess(ProtocolServer)
        /// KServe's InferenceGraph router, run in the gateway's process.
        case graph(GraphRouter)
    }

    /// Sends one step of an InferenceGraph (the gateway's: through its cluster-local listener for a
    /// host of the run), bounded by `timeout`.
    public typealias GraphStepSender =
        @Sendable (_ call: GraphRouter.StepCall, _ timeout: Duration) async throws -> (status: Int, body: [UInt8])

    struct Replica {
        var name: String
        var target: Target
        var process: ProcessReplica?
        var queue: QueueProxy
        /// A native replica's gRPC server, when its workload serves gRPC (an h2c port).
        var grpc: GRPCInferenceServer? = nil
        /// Where it listens (loopback).
        var grpcPort: Int? = nil
    }

    /// Loads a workload's models into the gateway's process from its model directory, when a native
    /// runtime serves its model format; nil when none does (then the container's command must run).
    public typealias NativeRuntime = @Sendable (_ workload: ServePlan.Workload, _ modelDirectory: URL) throws -> [any InferenceModel]?

    public let workload: ServePlan.Workload
    let store: ModelStore
    let logger: Logger
    /// `--predictor_host` value -> the internal address (`127.0.0.1:port`) that reaches it locally.
    let internalAddresses: [String: String]
    /// Never more replicas than this for one revision, whatever the autoscaler wants (a laptop guard).
    public static let replicaLimit = 16

    private var replicas: [Replica] = [] {
        didSet {
            ready.withLockedValue { [replicas] in
                $0 = replicas.map { Endpoint(name: $0.name, target: $0.target, queue: $0.queue, grpcPort: $0.grpcPort) }
            }
        }
    }
    /// The ready replicas as endpoints, readable without entering the actor: a request that finds
    /// one goes on at once; only the activator's path (no replica ready) waits here.
    private let ready = NIOLockedValueBox<[Endpoint]>([])
    private var starting = 0
    private var desired = 0
    private var decider: KPADecider
    private let origin = ContinuousClock.now
    /// Requests the activator holds until a replica is ready.
    private var held: [(id: Int, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextID = 0
    private var loop: Task<Void, Never>?
    private var stopped = false
    private var nameCounter = 0
    /// Replica names are `<prefix>-<n>` (a Deployment's new ReplicaSet gets a prefix of its own).
    private let replicaPrefix: String
    /// Replicas set from outside (a Deployment's rolling update), instead of by the autoscaler.
    private var pinned: Int?
    private var modelTask: Task<URL, Error>?
    /// Processes started but not ready yet, so that shutdown stops them too.
    private var launching: [String: ProcessReplica] = [:]
    /// How many replicas started and how long the last cold start took (for logs and tests).
    public private(set) var coldStarts = 0
    public private(set) var lastColdStart: Duration?

    let metrics: ServeMetrics
    let native: NativeRuntime
    let graphStep: GraphStepSender?
    /// What one request to an in-process model may carry (`isvc serve --max-tensor-elements`).
    let protocolLimits: ProtocolServer.Limits

    public init(
        workload: ServePlan.Workload, store: ModelStore, internalAddresses: [String: String], metrics: ServeMetrics,
        native: @escaping NativeRuntime = { _, _ in nil }, protocolLimits: ProtocolServer.Limits = .init(),
        replicaPrefix: String? = nil, graphStep: GraphStepSender? = nil, logger: Logger
    ) {
        self.graphStep = graphStep
        self.replicaPrefix = replicaPrefix ?? workload.name
        self.metrics = metrics
        self.native = native
        self.protocolLimits = protocolLimits
        self.workload = workload
        self.store = store
        self.internalAddresses = internalAddresses
        self.logger = logger
        decider = KPADecider(settings: workload.autoscaling)
    }

    public var replicaPorts: [Int] { replicas.compactMap(\.process?.port) }
    public var readyReplicas: Int { replicas.count }
    public var desiredReplicas: Int { desired }
    /// The ready replicas now, without waiting (none: an empty list).
    public nonisolated var readyEndpoints: [Endpoint] { ready.withLockedValue { $0 } }

    /// Sets the replica count from outside, as a Deployment's rolling update scales its ReplicaSets;
    /// nil gives it back to the autoscaler.
    public func pin(_ replicas: Int?) {
        pinned = replicas.map { min(max(0, $0), Self.replicaLimit) }
        if let pinned, pinned != desired {
            desired = pinned
            reconcile()
        }
    }

    var now: Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Starts the initial replicas (initial-scale, at least min-scale) and the autoscaler; waits for
    /// the first replica when there are any, and throws when it cannot start.
    public func start() async throws {
        guard loop == nil else { return }
        let s = workload.autoscaling
        desired = pinned ?? min(s.bounded(s.initialScale), Self.replicaLimit)
        loop = Task { [weak self] in await self?.autoscale() }
        reconcile()
        if desired > 0, replicas.isEmpty { try await waitForReplica(timeout: .seconds(120)) }
    }

    /// One ready replica as an endpoint of the Envoy clusters in front of the workload.
    public struct Endpoint: Sendable {
        public var name: String
        public var target: Target
        public var queue: QueueProxy
        /// A native replica's gRPC port (loopback), for calls that arrive over an HTTP/2 cluster.
        public var grpcPort: Int? = nil
    }

    /// Every ready replica, for the gateway's load balancer; with none ready the activator holds the
    /// caller, asks for a replica and waits (up to `timeout`).
    public nonisolated func endpoints(timeout: Duration) async throws -> [Endpoint] {
        let now = ready.withLockedValue { $0 }
        if !now.isEmpty { return now }
        return try await activate(timeout: timeout)
    }

    private func activate(timeout: Duration) async throws -> [Endpoint] {
        if loop == nil { try await start() }
        if replicas.isEmpty {
            if desired == 0 {
                desired = 1
                logger.info("activator: \(workload.name) has no replica; scaling from zero for a held request")
                decider.record(concurrency: Double(held.count + 1), at: now)
            }
            reconcile()
            try await waitForReplica(timeout: timeout)
        }
        guard !replicas.isEmpty else { throw Failure.unavailable("\(workload.name) has no replica") }
        return replicas.map { Endpoint(name: $0.name, target: $0.target, queue: $0.queue, grpcPort: $0.grpcPort) }
    }

    private func waitForReplica(timeout: Duration) async throws {
        nextID += 1
        let id = nextID
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            held.append((id, c))
        }
    }

    private func expire(_ id: Int) {
        guard let i = held.firstIndex(where: { $0.id == id }) else { return }
        held.remove(at: i).continuation.resume(throwing: Failure.activationTimedOut)
    }

    private func releaseHeld(_ error: Error? = nil) {
        let waiting = held
        held.removeAll()
        for w in waiting {
            if let error { w.continuation.resume(throwing: error) } else { w.continuation.resume() }
        }
    }

    /// Starts or stops replicas until the ready and starting ones match the desired count.
    private func reconcile() {
        guard !stopped else { return }
        while replicas.count + starting < desired {
            starting += 1
            nameCounter += 1
            let name = "\(replicaPrefix)-\(nameCounter)"
            Task { await self.startReplica(name: name) }
        }
        if desired == 0, starting == 0 { modelTask = nil }
        while replicas.count > desired, replicas.count > 0 {
            let victim = replicas.removeLast()
            logger.info("stopping replica \(victim.name) of \(workload.name) (\(replicas.count) left)")
            Task { await Self.drainAndStop(victim, timeout: .seconds(workload.timeoutSeconds)) }
        }
    }

    /// Removed from routing first, then stopped once its queue-proxy has no request (as Knative drains).
    static func drainAndStop(_ replica: Replica, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        // A request that took this replica from the endpoint list a moment ago may not have reached
        // its queue-proxy yet (Kubernetes' endpoint removal races a pod's shutdown the same way).
        try? await Task.sleep(for: .milliseconds(250))
        while ContinuousClock.now < deadline {
            if replica.queue.active + replica.queue.pending == 0 { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        await replica.process?.stop()
        replica.grpc?.shutdown()
    }

    private func startReplica(name: String) async {
        let started = ContinuousClock.now
        do {
            if let graph = workload.graph {
                let router = try makeGraphRouter(graph)
                starting -= 1
                guard !stopped, replicas.count < desired else { return }
                logger.info("replica \(name) runs KServe's InferenceGraph router in process")
                admit(
                    Replica(
                        name: name, target: .graph(router), process: nil,
                        queue: QueueProxy(containerConcurrency: workload.containerConcurrency)), started: started)
                return
            }
            let modelDirectory = try await model()
            // Loading a model reads and parses files: on NIO's blocking pool, not on an event loop
            // (isvc serve runs Swift concurrency on the event loops, which serve every request).
            let native = native
            let workload = workload
            if workload.container["command"]?.array?.isEmpty != false,
                let models = try await NIOThreadPool.singleton.runIfActive({ try Self.loadNative(native, workload, modelDirectory) })
            {
                starting -= 1
                guard !stopped, replicas.count < desired else { return }
                logger.info("replica \(name) serves \(models.map(\.name).joined(separator: ", ")) in process (native runtime)")
                var replica = Replica(
                    name: name, target: .inProcess(ProtocolServer(models: models, limits: protocolLimits)), process: nil,
                    queue: QueueProxy(containerConcurrency: workload.containerConcurrency))
                if workload.servesGRPC {
                    (replica.grpc, replica.grpcPort) = try await Self.startGRPC(models, limits: protocolLimits)
                    logger.info("replica \(name) answers gRPC on 127.0.0.1:\(replica.grpcPort ?? 0)")
                }
                admit(replica, started: started)
                return
            }
            let port = ProcessReplica.freePort()
            guard
                let launch = ProcessReplica.launch(
                    container: workload.container, userPort: workload.userPort, localPort: port,
                    modelMountPath: workload.modelMountPath, modelDirectory: modelDirectory.path,
                    predictorAddress: { [internalAddresses] in internalAddresses[$0] })
            else {
                let image = workload.container["image"]?.string ?? "?"
                throw Failure.unavailable(
                    "\(workload.name) runs the image \(image), which isvc serve cannot run as a process: "
                        + "give the container a command (and args) that starts its model server, e.g. a KServe Python model server "
                        + "(images of KServe's sklearnserver, xgbserver and lgbserver run in process)")
            }
            logger.info("starting replica \(name): \(launch.executable) \(launch.arguments.joined(separator: " ")) on 127.0.0.1:\(port)")
            let process = ProcessReplica(name: name, launch: launch, port: port, logger: logger)
            launching[name] = process
            let ready = await process.waitReady(timeout: .seconds(120))
            launching[name] = nil
            guard ready else {
                await process.stop()
                throw Failure.unavailable("replica \(name) did not become ready on port \(port) within 120 s")
            }
            await loadPulledModels(port: port)
            starting -= 1
            if stopped || replicas.count >= desired {
                // Scaled down (or shut down) while it started.
                await process.stop()
                return
            }
            admit(
                Replica(
                    name: name, target: .port(port), process: process,
                    queue: QueueProxy(containerConcurrency: workload.containerConcurrency)), started: started)
        } catch {
            starting -= 1
            logger.error("\(error)")
            // The held requests get the reason; the next request asks again.
            if replicas.isEmpty {
                desired = 0
                releaseHeld(error)
            }
        }
    }

    /// The storage initializer's model directory: run once for replicas starting together (they share
    /// the read-only directory, as pods share nothing but each mount theirs read-only), and again for
    /// a start from zero.
    private func model() async throws -> URL {
        let task =
            modelTask
            ?? Task { [store, workload, logger] in
                let directory = try await store.provide(workload.storageURI, for: workload.name)
                try await WorkloadRuntime.pull(
                    workload.pulledModels, into: directory, store: store, workload: workload.name, logger: logger)
                return directory
            }
        modelTask = task
        do {
            return try await task.value
        } catch {
            modelTask = nil
            throw error
        }
    }

    private func admit(_ replica: Replica, started: ContinuousClock.Instant) {
        let coldStart = ContinuousClock.now - started
        coldStarts += 1
        lastColdStart = coldStart
        metrics.coldStart(workload: workload.name, duration: coldStart)
        let ms = coldStart.components.seconds * 1000 + coldStart.components.attoseconds / 1_000_000_000_000_000
        logger.info("replica \(replica.name) ready after \(ms) ms (cold start); \(workload.name) has \(replicas.count + 1) ready")
        replicas.append(replica)
        decider.activated(at: now)
        releaseHeld()
    }

    /// The revision's concurrency now: requests in the replicas' queue-proxies and those the activator
    /// holds; and how many of them wait (held or queued).
    private func concurrency() -> (total: Int, waiting: Int) {
        var total = held.count
        var waiting = held.count
        for r in replicas {
            let pending = r.queue.pending
            total += r.queue.active + pending
            waiting += pending
        }
        return (total, waiting)
    }

    /// Samples concurrency ten times a second and decides every tick (2 s), as Knative's autoscaler does.
    private func autoscale() async {
        var sinceTick = 0.0
        while !Task.isCancelled, !stopped {
            try? await Task.sleep(for: .milliseconds(100))
            let c = concurrency()
            decider.record(concurrency: Double(c.total), at: now)
            metrics.sample(workload: workload.name, queued: c.waiting, replicas: replicas.count, desired: desired)
            sinceTick += 0.1
            guard sinceTick >= KPASettings.tickSeconds - 0.01 else { continue }
            sinceTick = 0
            tick()
        }
    }

    private func tick() {
        guard pinned == nil else { return }
        let d = decider.decide(readyReplicas: replicas.count, at: now)
        let want = min(d.replicas, Self.replicaLimit)
        // Replicas still starting keep the revision activating (Knative's PA is not yet Active).
        if want == 0, replicas.isEmpty, starting > 0 { return }
        // A held request always keeps one replica coming.
        let target = held.isEmpty ? want : max(want, 1)
        let averages = "stable \(String(format: "%.2f", d.stableAverage)), panic \(String(format: "%.2f", d.panicAverage))"
        if target == desired {
            // The state changes of scale to zero get a line even when the count stays.
            if let reason = d.reason, reason.hasPrefix("no traffic") { logger.info("autoscaler: \(workload.name) \(reason)") }
            return
        }
        logger.info(
            "autoscaler: \(workload.name) \(desired) -> \(target) replicas (\(averages)\(d.panicking ? ", panic mode" : "")\(d.reason.map { "; \($0)" } ?? ""))"
        )
        desired = target
        reconcile()
    }

    /// Stops the workload once its replicas have answered what they hold, as Knative drains a
    /// revision that no route names: the gateway chooses it no more (and has waited for the requests
    /// it routed before the edit), and it waits until nothing is held or queued for a moment, at most
    /// the revision timeout.
    public func retire(quiet: Duration = .milliseconds(100)) async {
        let deadline = ContinuousClock.now + .seconds(workload.timeoutSeconds)
        var quietSince: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            let busy = !held.isEmpty || replicas.contains { $0.queue.active + $0.queue.pending > 0 }
            if busy {
                quietSince = nil
            } else if let since = quietSince {
                if ContinuousClock.now - since >= quiet { break }
            } else {
                quietSince = ContinuousClock.now
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        await stop()
    }

    public func stop() async {
        stopped = true
        loop?.cancel()
        releaseHeld(Failure.unavailable("isvc serve is shutting down"))
        let all = replicas.compactMap(\.process) + Array(launching.values)
        for r in replicas { r.grpc?.shutdown() }
        replicas.removeAll()
        launching.removeAll()
        for p in all { await p.stop() }
    }
}
