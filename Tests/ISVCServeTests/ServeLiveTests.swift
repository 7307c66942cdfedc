import Foundation
import Hummingbird
import ISVCCore
import Logging
import LoopbackSupport
import ServiceLifecycle
import Testing

@testable import ISVCServe

#if canImport(Glibc)
    import Glibc
#endif

/// `isvc serve` end to end, on loopback: the gateway on port 0, replicas as real processes
/// (scripts/echo-backend.py, started from the container's command and args).
@Suite("Serve, live", .serialized)
struct ServeLiveTests {
    static let root = GatewayRouterTests.root

    static func isvc(
        _ name: String, concurrency: Int, timeout: Int? = nil, annotations: [String: String] = [:],
        replicas: (min: Int, max: Int)? = nil
    ) -> String {
        let meta =
            annotations.isEmpty
            ? ""
            : "\n  annotations:\n"
                + annotations.sorted { $0.key < $1.key }
                .map { "    \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
        return """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: \(name)\(meta)
            spec:
              predictor:
                containerConcurrency: \(concurrency)
            \(timeout.map { "    timeout: \($0)" } ?? "")
            \(replicas.map { "    minReplicas: \($0.min)\n    maxReplicas: \($0.max)" } ?? "")
                containers:
                  - name: kserve-container
                    image: local/echo
                    command: [python3, \(root.appendingPathComponent("scripts/echo-backend.py").path)]
                    args: ["$(PORT)", "\(name)", "120"]
            """
    }

    /// Runs a gateway for the YAML until `body` returns; stops it and every replica.
    static func withGateway(_ yaml: String, _ body: @Sendable (Int, GatewayServer) async throws -> Void) async throws {
        try await withRunningGateway(yaml) { port, gateway, _ in try await body(port, gateway) }
    }

    /// As `withGateway`, with the run, so a test can shut the gateway down itself.
    /// `previous` is an earlier state of the same InferenceService (its revisions stay, as in a rollout).
    static func withRunningGateway(
        _ yaml: String, previous: String? = nil,
        native: @escaping WorkloadRuntime.NativeRuntime = { _, _ in nil },
        limits: GatewayLimits = GatewayLimits(),
        _ body: @Sendable (Int, GatewayServer, ServeRun) async throws -> Void
    ) async throws {
        try await LoopbackLock.run { try await runGateway(yaml, previous: previous, native: native, limits: limits, body) }
    }

    /// Serves `yaml` (after `previous`) as `isvc serve` does, through `ServeRun`, until `body` returns.
    static func runGateway(
        _ yaml: String, previous: String?, native: @escaping WorkloadRuntime.NativeRuntime,
        limits: GatewayLimits = GatewayLimits(), _ body: @Sendable (Int, GatewayServer, ServeRun) async throws -> Void
    ) async throws {
        let result = compile(yaml, previous: previous)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await ServeRun.start(result, workDirectory: work, native: native, limits: limits, logger: Logger(label: "test"))
        do {
            try await body(run.bound.port, run.gateway, run)
        } catch {
            await run.stop()
            throw error
        }
        await run.stop()
    }

    /// `yaml` compiled after `previous` (whose revisions stay, as in a rollout); an error in either
    /// is a test failure. What `runGateway` serves, and what the differential tests give Envoy.
    static func compile(_ yaml: String, previous: String?) -> Compiler.Result {
        let d = Diagnostics()
        var options = Compiler.Options()
        if let previous {
            let before = Compiler.compile([.init(path: "previous.yaml", text: previous)], options: Compiler.Options(), diagnostics: d)
            options.previous = PreviousState(objects: before.plan.objects.map(\.body))
        }
        let result = Compiler.compile([.init(path: "t.yaml", text: yaml)], options: options, diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        return result
    }

    /// A blocking request on a thread of its own, so waiting clients never starve the gateway's tasks.
    static func get(_ port: Int, host: String, path: String) async -> (Int, String) {
        await withCheckedContinuation { continuation in
            Thread {
                let r = Loopback.request(port: port, host: host, path: path)
                continuation.resume(returning: (r?.status ?? 0, r?.body ?? ""))
            }.start()
        }
    }

    @Test(
        "Host routing reaches the replica with KServe's and Knative's headers; unknown hosts get a 404 naming the hosts",
        .timeLimit(.minutes(15)))
    func routing() async throws {
        try await Self.withGateway(Self.isvc("echo", concurrency: 0)) { port, _ in
            let (status, body) = await Self.get(port, host: "echo.default.example.com", path: "/v1/models/echo:predict")
            #expect(status == 200)
            #expect(body.contains("\"knative-serving-revision\": \"echo-predictor-00001\""))
            #expect(body.contains("\"host\": \"echo-predictor.default.svc.cluster.local\""))
            let byName = await Self.get(port, host: "127.0.0.1", path: "/v1/models/echo")
            #expect(byName.0 == 200)
            // By model name only on the gateway's own address; another unknown Host is 404 as in Envoy.
            for own in ["localhost:8080", "LOCALHOST", "[::1]:8080", "127.0.0.1:1"] {
                #expect(await Self.get(port, host: own, path: "/v2/models/echo").0 == 200, "\(own)")
            }
            for other in ["evil.example.com", "127.0.0.2", "localhost.example.com", "echo"] {
                let (status, body) = await Self.get(port, host: other, path: "/v1/models/echo:predict")
                #expect(status == 404, "\(other): \(body)")
                #expect(body.contains("no InferenceService serves host"), "\(other): \(body)")
            }
            let unknown = await Self.get(port, host: "nope.example.com", path: "/")
            #expect(unknown.0 == 404)
            #expect(unknown.1.contains("echo.default.example.com"))
        }
    }

    @Test(
        "containerConcurrency 1: the 12th concurrent request gets 503 at once; a slow answer past the timeout gets 504",
        .timeLimit(.minutes(15)))
    func concurrencyAndTimeout() async throws {
        try await Self.withGateway(Self.isvc("slow", concurrency: 1, timeout: 2, replicas: (1, 1))) { port, _ in
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask { await Self.get(port, host: "slow.default.example.com", path: "/sleep/300/").0 }
                }
                var all: [Int] = []
                for await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0 == 503 }.count >= 1, "\(statuses)")
            #expect(statuses.filter { $0 == 200 }.count >= 6, "\(statuses)")
            let slow = await Self.get(port, host: "slow.default.example.com", path: "/sleep/4000/")
            #expect(slow.0 == 504, "\(slow)")
        }
    }

    @Test("a replica that dies is restarted", .timeLimit(.minutes(15)))
    func restart() async throws {
        try await Self.withGateway(Self.isvc("crash", concurrency: 0)) { port, _ in
            #expect(await Self.get(port, host: "crash.default.example.com", path: "/").0 == 200)
            _ = await Self.get(port, host: "crash.default.example.com", path: "/exit")
            var back = false
            for _ in 0..<60 {
                try await Task.sleep(for: .milliseconds(250))
                if await Self.get(port, host: "crash.default.example.com", path: "/").0 == 200 { back = true; break }
            }
            #expect(back, "the replica did not come back")
        }
    }
}

extension ServeLiveTests {
    /// Knative's scale to zero with a 6 s stable window and a 6 s grace period (config-autoscaler).
    static let scaleToZeroConfig = """
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: config-autoscaler
          namespace: knative-serving
        data:
          allow-zero-initial-scale: "true"
          scale-to-zero-grace-period: "6s"
        """

    @Test(
        "scale from zero on the first request (held by the activator), back to zero after the stable window and grace period",
        .timeLimit(.minutes(15)))
    func scaleToZero() async throws {
        let yaml =
            Self.isvc(
                "idle", concurrency: 0,
                annotations: [
                    "autoscaling.knative.dev/initial-scale": "0",
                    "autoscaling.knative.dev/window": "6s",
                ],
                replicas: (0, 2)) + "\n" + Self.scaleToZeroConfig
        try await Self.withGateway(yaml) { port, gateway in
            let runtime = try #require(gateway.runtimes["idle-predictor-00001.default.svc.cluster.local"])
            #expect(await runtime.readyReplicas == 0, "initial-scale 0 starts no replica")
            let first = await Self.get(port, host: "idle.default.example.com", path: "/")
            #expect(first.0 == 200, "\(first)")
            #expect(await runtime.coldStarts == 1)
            #expect(await runtime.readyReplicas == 1)
            // Idle: inactive after the 6 s window, zero after 6 s more (ticks every 2 s).
            var zeroAfter: Duration?
            let idleSince = ContinuousClock.now
            for _ in 0..<120 {
                try await Task.sleep(for: .milliseconds(250))
                if await runtime.readyReplicas == 0 { zeroAfter = ContinuousClock.now - idleSince; break }
            }
            let elapsed = try #require(zeroAfter, "never scaled to zero")
            #expect(elapsed >= .seconds(10), "scaled to zero too early: \(elapsed)")
            // And from zero again.
            let again = await Self.get(port, host: "idle.default.example.com", path: "/")
            #expect(again.0 == 200, "\(again)")
            #expect(await runtime.coldStarts == 2)
        }
    }
}

extension ServeLiveTests {
    @Test(
        "transformer -> predictor: the transformer's --predictor_host is an internal address routed as the predictor's host",
        .timeLimit(.minutes(15)))
    func transformerChain() async throws {
        let yaml = try String(contentsOf: Self.root.appendingPathComponent("fixtures/support/echo-chain.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "scripts/echo-backend.py", with: Self.root.appendingPathComponent("scripts/echo-backend.py").path)
        try await Self.withGateway(yaml) { port, gateway in
            #expect(gateway.internalPorts.keys.sorted() == ["chain-predictor.default"])
            let (status, body) = await Self.get(port, host: "chain.default.example.com", path: "/v1/models/chain:predict")
            #expect(status == 200, "\(body)")
            let answer = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
            #expect(answer["backend"] as? String == "the-transformer")
            let predictor = answer["predictor"] as? [String: Any] ?? [:]
            #expect(predictor["backend"] as? String == "the-predictor", "\(body)")
            let headers = predictor["headers"] as? [String: String] ?? [:]
            #expect(headers["knative-serving-revision"] == "chain-predictor-00001")
        }
    }
}

extension ServeLiveTests {
    @Test(
        "graceful shutdown: every request accepted before it completes; then connections are refused",
        .timeLimit(.minutes(15)))
    func gracefulShutdown() async throws {
        try await Self.withRunningGateway(Self.isvc("drain", concurrency: 0)) { port, _, group in
            let inFlight = Task {
                await withTaskGroup(of: Int.self) { tasks in
                    for _ in 0..<6 {
                        tasks.addTask { await Self.get(port, host: "drain.default.example.com", path: "/sleep/1500/").0 }
                    }
                    var all: [Int] = []
                    for await s in tasks { all.append(s) }
                    return all
                }
            }
            try await Task.sleep(for: .milliseconds(400))
            await group.triggerGracefulShutdown()
            #expect(await inFlight.value == Array(repeating: 200, count: 6))
            try await Task.sleep(for: .milliseconds(200))
            #expect(await Self.get(port, host: "drain.default.example.com", path: "/").0 == 0, "still accepting after shutdown")
        }
    }
}

extension ServeLiveTests {
    @Test(
        "the admin port's /metrics counts requests by workload and code, and reports replicas and cold starts",
        .timeLimit(.minutes(15)))
    func metrics() async throws {
        try await Self.withGateway(Self.isvc("counted", concurrency: 0)) { port, gateway in
            let adminPort = PortBox()
            let admin = gateway.adminApplication(host: "127.0.0.1", port: 0) { await adminPort.set($0) }
            let group = ServiceGroup(configuration: .init(services: [admin], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            let running = Task { try await group.run() }
            for _ in 0..<3 { #expect(await Self.get(port, host: "counted.default.example.com", path: "/").0 == 200) }
            // Envoy: an upstream reset is 503 (UC).
            #expect(await Self.get(port, host: "counted.default.example.com", path: "/exit").0 == 503)
            var bound = 0
            for _ in 0..<200 where bound == 0 {
                bound = await adminPort.value
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(200))
            let (status, text) = await Self.get(bound, host: "127.0.0.1", path: "/metrics")
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            #expect(status == 200)
            #expect(text.contains(#"isvc_requests_total{workload="counted-predictor-00001",code="200"} 3"#), "\(text)")
            #expect(text.contains(#"isvc_requests_total{workload="counted-predictor-00001",code="503"} 1"#))
            #expect(text.contains(#"isvc_request_duration_seconds_count{workload="counted-predictor-00001"} 4"#))
            #expect(text.contains(#"isvc_cold_start_seconds_count{workload="counted-predictor-00001"} 1"#))
            #expect(text.contains(#"isvc_requests_in_flight_count{workload="counted-predictor-00001"} 0"#))
        }
    }
}

extension ServeLiveTests {
    @Test("a 90/10 canary through the live gateway: the new revision gets about 10% of requests", .timeLimit(.minutes(15)))
    func canary() async throws {
        let first = Self.isvc("split", concurrency: 0)
        let next = first.replacingOccurrences(of: "containerConcurrency: 0", with: "containerConcurrency: 0\n    canaryTrafficPercent: 10")
            .replacingOccurrences(of: "\"split\", \"120\"", with: "\"split-canary\", \"120\"")
        try await Self.withRunningGateway(next, previous: first) { port, _, _ in
            var counts: [String: Int] = [:]
            for _ in 0..<300 {
                let (status, body) = await Self.get(port, host: "split.default.example.com", path: "/v1/models/split:predict")
                let answer = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                counts[status == 200 ? (answer?["backend"] as? String ?? "?") : "failed", default: 0] += 1
            }
            // Binomial(300, 0.1): mean 30, sd 5.2; 4 sd either side.
            #expect(counts["failed"] == nil, "\(counts)")
            #expect((10...50).contains(counts["split-canary"] ?? 0), "\(counts)")
            #expect((counts["split"] ?? 0) + (counts["split-canary"] ?? 0) == 300, "\(counts)")
        }
    }
}

actor PortBox {
    var value = 0
    func set(_ p: Int) { value = p }
}
