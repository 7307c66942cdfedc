import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Loopback plumbing for tests that run real servers: free ports, a raw HTTP/1.1 client (so the Host
/// header is exactly what the test says), and child processes stopped by PID. Shared by both test
/// targets.
public enum Loopback {
    /// A port nobody listens on now, between 20000 and 32000: below the kernel's ephemeral range
    /// (32768-60999), so client connections of tests running alongside cannot take it before the
    /// server binds it.
    public static func freePort() -> Int {
        for _ in 0..<200 {
            let candidate = Int.random(in: 20_000...32_000)
            if isFree(candidate) { return candidate }
        }
        return 0
    }

    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return onLoopback(fd, port: port) { bind($0, $1, $2) } == 0
    }

    /// `call` (bind or connect) on `fd` with the address 127.0.0.1:`port`; what it returns.
    /// ProcessReplica has its own copy on purpose: the test support depends on nothing it tests.
    static func onLoopback(_ fd: Int32, port: Int, _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: String
        /// The response's headers, names lowercased (the last of a repeated one).
        public var headers: [String: String] = [:]
    }

    /// One request on a new connection, with a 15 s timeout; nil when nothing answers.
    public static func request(
        port: Int, host: String, path: String = "/", headers: [String: String] = [:],
        method: String = "GET", body: [UInt8] = []
    ) -> Response? {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if method != "GET" || !body.isEmpty { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        guard let data = exchange(port: port, Array(text.utf8) + body) else { return nil }
        let response = String(decoding: data, as: UTF8.self)
        guard let statusLine = response.split(separator: "\r\n").first,
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        let parts = response.components(separatedBy: "\r\n\r\n")
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        var headers: [String: String] = [:]
        for line in (parts.first ?? "").split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, body: body, headers: headers)
    }

    /// Sends exactly `bytes` on a new loopback connection (15 s timeouts) and reads until the peer
    /// closes or `isComplete` says the answer is whole; nil when no connection is made.
    public static func exchange(port: Int, _ bytes: [UInt8], isComplete: ([UInt8]) -> Bool = { _ in false }) -> [UInt8]? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }  // the peer may have answered and closed before reading everything
            offset += n
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
            if isComplete(data) { break }
        }
        return data
    }

    /// Waits (up to 15 s) for a connect that EINTR interrupted; true when it succeeded.
    /// A blocking TCP connection to 127.0.0.1:`port` with send and receive timeouts; nil when none is
    /// made. Children exiting (SIGCHLD) interrupt blocking calls: a connect cut short by EINTR goes on
    /// in the background, so it is waited for.
    public static func connect(port: Int, timeoutSeconds: Int = 15) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = onLoopback(fd, port: port) { Glibc.connect($0, $1, $2) }
        guard connected == 0 || (errno == EINTR && finishConnect(fd)) else {
            close(fd)
            return nil
        }
        return fd
    }

    static func finishConnect(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32 = -1
        repeat { ready = poll(&p, 1, 15_000) } while ready < 0 && errno == EINTR
        guard ready == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0
    }

    /// Waits until something accepts connections on the port (bounded).
    public static func waitForListener(_ port: Int, seconds: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !isFree(port) { return true }
            usleep(50_000)
        }
        return false
    }

    /// Waits until an Envoy answers 200 on its admin `/ready` (server state LIVE: clusters and
    /// listeners initialised). Its listener ports are bound earlier, before its workers take
    /// connections; a request sent in between could go unanswered.
    public static func waitForEnvoyReady(adminPort: Int, seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if request(port: adminPort, host: "127.0.0.1", path: "/ready")?.status == 200 { return true }
            usleep(100_000)
        }
        return false
    }

    /// A child process, killed by PID when the test ends.
    public final class Child {
        let process = Process()
        public init(_ executable: String, _ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        public func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit { stop() }
    }
}

/// Tests that run loopback servers and child processes take turns, across test targets, through a
/// lock file: run all at once on a 2-core machine, the real-Envoy tests intermittently got no answer
/// on a fresh connection (root cause not found; each suite alone never failed).
public enum LoopbackLock {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-loopback-tests.lock").path

    public static func run<T>(_ body: () async throws -> T) async throws -> T {
        let fd = open(path, O_CREAT | O_RDWR, 0o644)
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 { try await Task.sleep(for: .milliseconds(50)) }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }
}
