import Foundation
import ISVCCore
import Logging
import Subprocess
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One replica of a workload as a local process: the container's `command` and `args` (the image is
/// not used), with the pod's environment, `/mnt/models` pointed at the local model directory and the
/// serving port at a free local port. A replica that exits is restarted with backoff, as a kubelet does.
public final class ProcessReplica: Sendable {
    public let port: Int
    public let name: String
    private let task: Task<Void, Never>

    public struct Launch: Sendable {
        public var executable: String
        public var arguments: [String]
        public var environment: [String: String]
    }

    /// The values of the container's `--predictor_host` arguments (KServe's transformer and explainer flag).
    public static func predictorHosts(in container: Value) -> [String] {
        let args = (container["command"]?.array ?? []) + (container["args"]?.array ?? [])
        let strings = args.compactMap(\.string)
        var hosts: [String] = []
        for (i, a) in strings.enumerated() {
            if a == "--predictor_host", i + 1 < strings.count { hosts.append(strings[i + 1]) }
            if a.hasPrefix("--predictor_host=") { hosts.append(String(a.dropFirst("--predictor_host=".count))) }
        }
        return hosts
    }

    /// How the container runs locally; nil when it has no command (a runtime image isvc cannot run).
    /// `predictorAddress` maps a `--predictor_host` value to the local address that reaches it.
    public static func launch(
        container: Value, userPort: Int, localPort: Int, modelMountPath: String,
        modelDirectory: String, predictorAddress: (String) -> String?,
        grpcPort: () -> Int = { freePort() }
    ) -> Launch? {
        let command = container["command"]?.array?.compactMap(\.string) ?? []
        guard let executable = command.first else { return nil }
        var env: [String: String] = [:]
        for e in container["env"]?.array ?? [] {
            guard let name = e["name"]?.string else { continue }
            env[name] = e["value"]?.string ?? ""
        }
        env["PORT"] = String(localPort)
        func local(_ s: String) -> String {
            var out = s.replacingOccurrences(of: modelMountPath, with: modelDirectory)
            // Kubernetes expands $(VAR) from the container's environment.
            for (k, v) in env { out = out.replacingOccurrences(of: "$(\(k))", with: v) }
            return out
        }
        for (k, v) in env { env[k] = local(v) }
        var args = Array(command.dropFirst()) + (container["args"]?.array?.compactMap(\.string) ?? [])
        for i in args.indices {
            args[i] = local(args[i])
            // KServe's port flags (--http_port=8080, --port 8080, ...) point at the local port.
            if args[i].contains("port="), args[i].hasSuffix("=\(userPort)") {
                args[i] = String(args[i].dropLast(String(userPort).count)) + String(localPort)
            } else if i > 0, args[i] == String(userPort), args[i - 1].hasPrefix("--"), args[i - 1].contains("port") {
                args[i] = String(localPort)
            }
            if i > 0, args[i - 1] == "--predictor_host", let address = predictorAddress(args[i]) { args[i] = address }
            if args[i].hasPrefix("--predictor_host="), let address = predictorAddress(String(args[i].dropFirst("--predictor_host=".count)))
            {
                args[i] = "--predictor_host=" + address
            }
        }
        // A KServe model server opens REST (default 8080) and gRPC (default 8081), every replica alike:
        // the one the revision serves (its container port) is the replica's port, the other its own.
        Self.separatePorts(&args, localPort: localPort, freePort: grpcPort)
        return Launch(executable: executable, arguments: args, environment: env)
    }

    /// Gives a KServe model server's other listener a port of its own: its gRPC port when the replica
    /// port is REST, its REST port (`--http_port`) when the replica port is gRPC (an h2c revision).
    static func separatePorts(_ args: inout [String], localPort: Int, freePort: () -> Int) {
        func value(_ flag: String) -> (index: Int, inline: Bool, value: String)? {
            if let i = args.firstIndex(of: flag), i + 1 < args.count { return (i + 1, false, args[i + 1]) }
            if let i = args.firstIndex(where: { $0.hasPrefix(flag + "=") }) { return (i, true, String(args[i].dropFirst(flag.count + 1))) }
            return nil
        }
        func set(_ flag: String, _ port: Int) {
            if let v = value(flag) { args[v.index] = v.inline ? "\(flag)=\(port)" : String(port) } else { args.append("\(flag)=\(port)") }
        }
        let grpc = value("--grpc_port")
        if grpc?.value == String(localPort) {
            set("--http_port", freePort())
        } else if grpc != nil || value("--http_port") != nil {
            set("--grpc_port", freePort())
        }
    }

    public init(name: String, launch: Launch, port: Int, logger: Logger) {
        self.port = port
        self.name = name
        task = Task {
            var backoff = 1.0
            while !Task.isCancelled {
                let started = Date()
                var options = PlatformOptions()
                options.processGroupID = 0
                options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(5))]
                var overrides: [Environment.Key: String?] = [:]
                for (k, v) in launch.environment { if let key = Environment.Key(rawValue: k) { overrides[key] = v } }
                let executable: Executable = launch.executable.contains("/") ? .path(FilePath(launch.executable)) : .name(launch.executable)
                do {
                    let result = try await run(
                        executable, arguments: Arguments(launch.arguments),
                        environment: .inherit.updating(overrides), platformOptions: options,
                        output: .currentStandardError, error: .currentStandardError)
                    if Task.isCancelled { break }
                    logger.warning("replica \(name) exited (\(result.terminationStatus)); restarting in \(Int(backoff))s")
                } catch {
                    if Task.isCancelled { break }
                    logger.error("replica \(name) could not start: \(error); retrying in \(Int(backoff))s")
                }
                // A replica that ran for a while starts its backoff again.
                if Date().timeIntervalSince(started) > 60 { backoff = 1 }
                try? await Task.sleep(for: .seconds(backoff))
                backoff = min(backoff * 2, 30)
            }
        }
    }

    /// Waits until the replica accepts TCP connections (Knative's default readiness probe).
    public func waitReady(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if Self.accepts(port) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Stops the process (SIGTERM to its process group, SIGKILL after 5 s) and waits for it.
    public func stop() async {
        task.cancel()
        _ = await task.value
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return onLoopback(fd, port: port) { connect($0, $1, $2) } == 0
    }

    /// A free loopback port (bound to port 0, then released).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        _ = onLoopback(fd, port: 0) { bind($0, $1, $2) }
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// `call` (bind or connect) on `fd` with the address 127.0.0.1:`port`; what it returns.
    private static func onLoopback(_ fd: Int32, port: Int, _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
