import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore

/// `isvc serve --watch` and SIGHUP as users run them: the real binary, a file edited on disk, the
/// log it prints, and the answers before and after.
@Suite("Command line: serve --watch", .serialized)
struct CLIServeWatchTests {
    static func isvc(backend: String, extra: String = "") -> String {
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: watched
        spec:
          predictor:
            minReplicas: 1\(extra)
            containers:
              - name: kserve-container
                image: local/echo
                command: [python3, \(Golden.root.appendingPathComponent("scripts/echo-backend.py").path)]
                args: ["$(PORT)", "\(backend)", "300"]

        """
    }

    /// A running `isvc serve` whose output goes to a file the test reads.
    final class Server {
        let process = Process()
        let log: URL
        init(_ args: [String], log: URL) throws {
            self.log = log
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.executableURL = try #require(CLITests.binary, "the isvc executable is built by swift test")
            process.arguments = args
            process.currentDirectoryURL = Golden.root
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var text: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits (up to 60 s) until the log has `count` lines containing `needle`.
        func waitFor(_ needle: String, count: Int = 1) async throws {
            for _ in 0..<600 {
                if text.components(separatedBy: needle).count - 1 >= count { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("no \"\(needle)\" in the log:\n\(text)")
            throw CancellationError()
        }

        /// The gateway's port, from its first log line about it.
        func port() async throws -> Int {
            try await waitFor("gateway listening on http://127.0.0.1:")
            let rest = text.components(separatedBy: "gateway listening on http://127.0.0.1:")[1]
            return try #require(Int(rest.prefix { $0.isNumber }))
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    /// Writes the service with backend `v1` to a file in a new temporary folder, runs `isvc serve`
    /// with `flags` on it (under the loopback lock), and runs `body` with the server, its gateway's
    /// port and the file; stops the server and removes the folder.
    static func serving(_ label: String, flags: [String], _ body: (Server, Int, URL) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("watched.yaml")
        try Self.isvc(backend: "v1").write(to: file, atomically: true, encoding: .utf8)
        try await LoopbackLock.run {
            let server = try Server(
                ["serve"] + flags + [file.path, "--port", "0", "--admin-port", "0", "--workdir", dir.appendingPathComponent("w").path],
                log: dir.appendingPathComponent("serve.log"))
            defer { server.stop() }
            try await body(server, try await server.port(), file)
        }
    }

    static func backend(port: Int) -> String? {
        guard
            let r = Loopback.request(
                port: port, host: "watched.default.example.com", path: "/v1/models/watched:predict",
                headers: ["Content-Type": "application/json"], method: "POST", body: Array(#"{"instances":[[1]]}"#.utf8)),
            r.status == 200,
            let json = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
        else { return nil }
        return json["backend"] as? String
    }

    @Test(
        "--watch: an edit is compiled against what runs and applied (summary logged, traffic moves); a broken edit changes nothing",
        .timeLimit(.minutes(15)))
    func watch() async throws {
        try await Self.serving("watch", flags: ["--watch"]) { server, port, file in
            try await server.waitFor("watching \(file.path) for edits")
            #expect(Self.backend(port: port) == "v1")
            // A canary edit, saved by renaming a new file over the old one, as editors do.
            try Self.isvc(backend: "v2", extra: "\n    canaryTrafficPercent: 50").write(to: file, atomically: true, encoding: .utf8)
            try await server.waitFor("edit: applied")
            try await server.waitFor("new revision watched-predictor-00002")
            try await server.waitFor("traffic after:  watched-predictor-00002 50% (latest), watched-predictor-00001 50% (tag prev)")
            var seen: Set<String> = []
            for _ in 0..<60 { if let b = Self.backend(port: port) { seen.insert(b) } }
            #expect(seen == ["v1", "v2"])
            // A broken edit: reported with its position, and the canary keeps serving.
            try (Self.isvc(backend: "v3") + "    minReplicas: nope\n").write(to: file, atomically: false, encoding: .utf8)
            try await server.waitFor("the edit does not pass check; the running plan stays")
            #expect(server.text.contains("\(file.path):"), "the edit's diagnostics name the file")
            seen = []
            for _ in 0..<60 { if let b = Self.backend(port: port) { seen.insert(b) } }
            #expect(seen == ["v1", "v2"])
            // Promotion: 00002 takes all traffic; 00001 is drained and stopped.
            try Self.isvc(backend: "v2").write(to: file, atomically: true, encoding: .utf8)
            try await server.waitFor("edit: applied", count: 2)
            try await server.waitFor("watched-predictor-00001: drained and stopped")
            seen = []
            for _ in 0..<20 { if let b = Self.backend(port: port) { seen.insert(b) } }
            #expect(seen == ["v2"])
            server.stop()
            #expect(server.process.terminationStatus == 0)
        }
    }

    @Test("SIGHUP applies the files once, without --watch", .timeLimit(.minutes(15)))
    func hangup() async throws {
        try await Self.serving("hup", flags: []) { server, port, file in
            #expect(Self.backend(port: port) == "v1")
            try Self.isvc(backend: "v2").write(to: file, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .seconds(1.5))
            #expect(Self.backend(port: port) == "v1", "without --watch an edit waits for SIGHUP")
            kill(server.process.processIdentifier, SIGHUP)
            try await server.waitFor("SIGHUP: applied")
            #expect(Self.backend(port: port) == "v2")
            kill(server.process.processIdentifier, SIGHUP)
            try await server.waitFor("SIGHUP: the compiled objects are the same; nothing to apply")
            #expect(server.process.isRunning)
        }
    }
}
