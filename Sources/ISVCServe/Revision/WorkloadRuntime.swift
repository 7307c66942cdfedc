import Foundation
import ISVCCore
import Logging

/// One workload running locally: its model provided by the storage initializer, its replicas as
/// processes, and a queue-proxy per replica limiting concurrency as Knative's does.
public actor WorkloadRuntime {
    public enum Failure: Error, Sendable {
        /// The workload has no replica that can take requests (with the reason).
        case unavailable(String)
    }

    public let workload: ServePlan.Workload
    let store: ModelStore
    let logger: Logger
    let predictorHost: String?
    private var replicas: [(replica: ProcessReplica, queue: QueueProxy)] = []
    private var starting: Task<Void, Error>?

    public init(workload: ServePlan.Workload, store: ModelStore, predictorHost: String?, logger: Logger) {
        self.workload = workload
        self.store = store
        self.predictorHost = predictorHost
        self.logger = logger
    }

    public var replicaPorts: [Int] { replicas.map(\.replica.port) }

    /// Starts the replicas a revision keeps (min-scale, at least one), once.
    public func start() async throws {
        if let starting { return try await starting.value }
        let task = Task { try await self.scale(to: max(self.workload.minScale, 1)) }
        starting = task
        try await task.value
    }

    func scale(to count: Int) async throws {
        let modelDirectory = try await store.provide(workload.storageURI, for: workload.name)
        while replicas.count < count {
            let port = ProcessReplica.freePort()
            guard let launch = ProcessReplica.launch(container: workload.container, userPort: workload.userPort, localPort: port,
                                                     modelMountPath: workload.modelMountPath, modelDirectory: modelDirectory.path,
                                                     predictorHost: predictorHost) else {
                let image = workload.container["image"]?.string ?? "?"
                throw Failure.unavailable("\(workload.name) runs the image \(image), which isvc serve cannot run as a process: "
                    + "give the container a command (and args) that starts its model server, e.g. a KServe Python model server "
                    + "(native runtimes for sklearn, xgboost and lightgbm are not in isvc yet)")
            }
            let started = ContinuousClock.now
            let name = "\(workload.name)-\(replicas.count + 1)"
            logger.info("starting replica \(name): \(launch.executable) \(launch.arguments.joined(separator: " ")) on 127.0.0.1:\(port)")
            let replica = ProcessReplica(name: name, launch: launch, port: port, logger: logger)
            guard await replica.waitReady(timeout: .seconds(120)) else {
                await replica.stop()
                throw Failure.unavailable("replica \(name) did not become ready on port \(port) within 120 s")
            }
            logger.info("replica \(name) ready after \(ContinuousClock.now - started) (cold start)")
            replicas.append((replica, QueueProxy(containerConcurrency: workload.containerConcurrency)))
        }
    }

    /// A replica's port and queue for one request: the one with the fewest requests in flight.
    public func pick() async throws -> (port: Int, queue: QueueProxy) {
        try await start()
        var best: (Int, QueueProxy)?
        var bestLoad = Int.max
        for r in replicas {
            let load = await r.queue.active + r.queue.pending
            if load < bestLoad { best = (r.replica.port, r.queue); bestLoad = load }
        }
        guard let best else { throw Failure.unavailable("\(workload.name) has no replica") }
        return best
    }

    public func stop() async {
        for r in replicas { await r.replica.stop() }
        replicas.removeAll()
    }
}
