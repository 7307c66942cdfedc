import Foundation
import Hummingbird
import HummingbirdTLS
import ISVCCore
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// One running `isvc serve`, wired in one place for the command and the tests: the gateway for a
/// compiled input with its workloads started, its listeners (gateway, admin, TLS, the internal ones)
/// in one service group, the session that applies edits, and the shutdown that stops every replica.
public final class ServeRun: Sendable {
    /// Where to listen. Port 0 picks a free port; the bound ones are in `bound`.
    public struct Listeners: Sendable {
        public var host = "127.0.0.1"
        public var port = 0
        /// The admin listener (`/metrics`, `/healthz`); nil for none.
        public var adminPort: Int?
        /// The TLS listener, when a Gateway server asks for one.
        public var tls: TLSConfiguration?
        public var tlsPort = 0
        /// Whether SIGTERM and SIGINT shut the run down gracefully (the command's; tests stop it themselves).
        public var stopsOnSignals = false
        public init() {}
    }

    /// The ports the listeners are bound to.
    public struct Bound: Sendable, Equatable {
        public var port: Int
        public var adminPort: Int?
        public var tlsPort: Int?
    }

    public enum StartFailure: Error, CustomStringConvertible {
        case notListening(String)
        public var description: String {
            switch self {
            case .notListening(let why): return "the gateway could not listen: \(why)"
            }
        }
    }

    public let gateway: GatewayServer
    public let session: ServeSession
    public let bound: Bound
    private let group: ServiceGroup
    private let running: Task<Void, Error>
    /// Stops the replicas once; every caller of `finished` waits for it.
    private let shutdown = NIOLockedValueBox<Task<Void, Never>?>(nil)

    private init(gateway: GatewayServer, session: ServeSession, bound: Bound, group: ServiceGroup, running: Task<Void, Error>) {
        self.gateway = gateway
        self.session = session
        self.bound = bound
        self.group = group
        self.running = running
    }

    /// Starts serving `result` (compiled without errors): prepares the security filters, starts the
    /// workloads' replicas, binds every listener, and returns once they listen.
    public static func start(
        _ result: Compiler.Result, settings: ServeSession.Settings = .init(), workDirectory: URL,
        native: @escaping WorkloadRuntime.NativeRuntime = { _, _ in nil },
        limits: GatewayLimits = GatewayLimits(), listeners: Listeners = Listeners(),
        logger: Logger
    ) async throws -> ServeRun {
        let plan = try ServePlan(result)
        try await plan.security.prepare()
        let gateway = GatewayServer(
            plan: plan, workDirectory: workDirectory, native: native, limits: limits,
            listenHost: listeners.host, logger: logger)
        let session = ServeSession(serving: result, gateway: gateway, settings: settings, logger: logger)
        await gateway.startWorkloads()
        let ports = NIOLockedValueBox<[String: Int]>([:])
        var services: [any Service] = [
            gateway.application(host: listeners.host, port: listeners.port) { p in
                ports.withLockedValue { $0["gateway"] = p }
            }
        ]
        var expected = ["gateway"]
        if let adminPort = listeners.adminPort {
            services.append(
                gateway.adminApplication(host: listeners.host, port: adminPort) { p in ports.withLockedValue { $0["admin"] = p } })
            expected.append("admin")
        }
        if let tls = listeners.tls {
            services.append(
                try gateway.tlsApplication(host: listeners.host, port: listeners.tlsPort, tls: tls) { p in
                    ports.withLockedValue { $0["tls"] = p }
                })
            expected.append("tls")
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services + gateway.internalApplications(),
                gracefulShutdownSignals: listeners.stopsOnSignals ? [.sigterm, .sigint] : [],
                logger: logger))
        let ended = NIOLockedValueBox<String?>(nil)
        let running = Task {
            do {
                try await group.run()
                ended.withLockedValue { $0 = "the listeners stopped" }
            } catch {
                ended.withLockedValue { $0 = "\(error)" }
                throw error
            }
        }
        // Bounded: a listener that cannot bind ends the group with the reason.
        for _ in 0..<3000 {
            let now = ports.withLockedValue { $0 }
            if expected.allSatisfy({ now[$0] != nil }) {
                return ServeRun(
                    gateway: gateway, session: session,
                    bound: Bound(port: now["gateway"] ?? 0, adminPort: now["admin"], tlsPort: now["tls"]),
                    group: group, running: running)
            }
            if Task.isCancelled { break }
            try? await Task.sleep(for: .milliseconds(10))
            if let failure = ended.withLockedValue({ $0 }) {
                await gateway.shutdown()
                throw StartFailure.notListening(failure)
            }
        }
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        await gateway.shutdown()
        throw StartFailure.notListening("no listener was bound within 30 s")
    }

    /// Waits until the run is shut down (a signal, or `stop`), then stops every replica.
    public func finished() async -> Error? {
        var failure: Error?
        do { try await running.value } catch { failure = error }
        let gateway = gateway
        let stopping = shutdown.withLockedValue { task in
            if task == nil { task = Task { await gateway.shutdown() } }
            return task!
        }
        await stopping.value
        return failure
    }

    /// Begins the graceful shutdown (stop accepting, finish every accepted request) without waiting.
    public func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// Shuts the run down: stops accepting, finishes every accepted request, stops the replicas.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await finished()
    }
}
