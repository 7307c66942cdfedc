import Foundation
import ISVCCore
import LoopbackSupport
import Testing

@testable import ISVCServe

/// Runs one input through both gateways at once: `isvc serve`'s gateway in process, and a real Envoy
/// loaded with `isvc compile --emit envoy`'s output for the same input, its clusters pointed at the
/// replicas serve started (every replica of a workload one endpoint, as serve balances over them).
enum Differential {
    static let runs = TestTools.runs(with: TestTools.envoy)
    static let skipReason = Comment(rawValue: "Envoy is \(TestTools.missing), or set ISVC_ENVOY")

    /// The two gateways' listener ports and the replicas' ports by workload host.
    struct Gateways: Sendable {
        var serve: Int
        var envoy: Int
        var replicas: [String: [Int]]
    }

    /// Starts serve's gateway (under the loopback lock), waits for `replicas` (workload host -> count)
    /// to be ready, starts Envoy on the emitted config pointed at them, and runs `body`; stops both.
    static func withBoth(
        _ yaml: String, previous: String? = nil, replicas: [String: Int],
        _ body: @Sendable (Gateways, GatewayServer) async throws -> Void
    ) async throws {
        try await ServeLiveTests.withRunningGateway(yaml, previous: previous) { port, gateway, _ in
            var ports: [String: [Int]] = [:]
            for (host, count) in replicas.sorted(by: { $0.key < $1.key }) {
                let runtime = try #require(gateway.runtimes[host], "no workload \(host)")
                for _ in 0..<300 {
                    if await runtime.replicaPorts.count >= count { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                ports[host] = await runtime.replicaPorts.sorted()
                try #require(ports[host]!.count >= count, "\(host) never had \(count) replicas")
                for p in ports[host]! { #expect(await waitForListener(p), "replica \(p) of \(host) is not listening") }
            }
            let envoy = try await startEnvoy(ServeLiveTests.compile(yaml, previous: previous), replicas: ports)
            defer { envoy.stop() }
            try await body(Gateways(serve: port, envoy: envoy.port, replicas: ports), gateway)
        }
    }

    final class RunningEnvoy: @unchecked Sendable {
        let child: Loopback.Child
        let port: Int
        let config: URL
        init(child: Loopback.Child, port: Int, config: URL) { self.child = child; self.port = port; self.config = config }
        func stop() {
            child.stop()
            try? FileManager.default.removeItem(at: config)
        }
    }

    static func startEnvoy(_ result: Compiler.Result, replicas: [String: [Int]]) async throws -> RunningEnvoy {
        let envoy = try #require(TestTools.envoy, "Envoy is \(TestTools.missing)")
        var options = EnvoyOptions()
        options.listenAddress = "127.0.0.1"
        // Listeners at 9080-19081: below the kernel's ephemeral range, apart from the replicas' ports.
        for _ in 0..<50 {
            let candidate = Int.random(in: 1_000...11_000)
            if Loopback.isFree(8080 + candidate), Loopback.isFree(8081 + candidate) { options.portOffset = candidate; break }
        }
        options.adminPort = Loopback.freePort()
        for (host, ports) in replicas { options.endpoints[host] = ("127.0.0.1", ports[0]) }
        var config = Compiler.envoy(result, options: options)
        // `--endpoint` gives a cluster one address; a workload with several replicas gets them all.
        if var clusters = config[path: ["static_resources", "clusters"]]?.array {
            for i in clusters.indices {
                let socket = ["load_assignment", "endpoints"]
                guard
                    let first = clusters[i][path: socket]?.array?.first?["lb_endpoints"]?.array?.first?[path: [
                        "endpoint", "address", "socket_address", "port_value",
                    ]]?.int,
                    let all = replicas.values.first(where: { $0.first == first }), all.count > 1
                else { continue }
                clusters[i][path: socket] = [
                    [
                        "lb_endpoints": .array(
                            all.map { p in
                                ["endpoint": ["address": ["socket_address": ["address": "127.0.0.1", "port_value": .int(p)]]]]
                            })
                    ]
                ]
            }
            config[path: ["static_resources", "clusters"]] = .array(clusters)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-differential-\(UUID().uuidString).yaml")
        try YAMLWriter.document(config).write(to: file, atomically: true, encoding: .utf8)
        let child = try Loopback.Child(
            envoy,
            [
                "-c", file.path, "--disable-hot-restart", "--concurrency", "1", "-l", "error",
                "--base-id", String(Int.random(in: 1000...60000)),
            ])
        let running = RunningEnvoy(child: child, port: 8080 + options.portOffset, config: file)
        let listeners =
            config[path: ["static_resources", "listeners"]]?.array?
            .compactMap { $0[path: ["address", "socket_address", "port_value"]]?.int } ?? []
        for port in listeners where !(await waitForListener(port)) {
            running.stop()
            Issue.record("Envoy did not listen on \(port)")
            throw CancellationError()
        }
        let adminPort = options.adminPort
        let ready = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Loopback.waitForEnvoyReady(adminPort: adminPort)) }.start()
        }
        if !ready {
            running.stop()
            Issue.record("Envoy did not become ready (admin /ready on \(adminPort))")
            throw CancellationError()
        }
        return running
    }

    /// Waits (up to 15 s) for a listener without blocking a thread of the cooperative pool.
    static func waitForListener(_ port: Int) async -> Bool {
        for _ in 0..<300 {
            if !Loopback.isFree(port) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Requests a replica has seen so far (this count request included).
    static func seen(_ port: Int) async -> Int {
        await RawHTTP.async(port: port, host: "127.0.0.1", path: "/count").json["seen"] as? Int ?? -1
    }

    /// Requests the replicas saw while `body` ran.
    static func attempts(_ ports: [Int], during body: () async throws -> Void) async rethrows -> [Int] {
        var before: [Int] = []
        for p in ports { before.append(await seen(p)) }
        try await body()
        var out: [Int] = []
        for (p, b) in zip(ports, before) { out.append(await seen(p) - b - 1) }
        return out
    }

    /// Which backend answered: the echo backend's name and port, or the status when it is not a backend's 200.
    static func answerer(_ r: RawHTTP.Response) -> String {
        guard r.status == 200, let name = r.json["backend"] as? String else { return "status \(r.status)" }
        return name
    }
}
