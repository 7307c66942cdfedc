import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore

/// The CI recipes of the README (examples/ci, .pre-commit-hooks.yaml), run for real as far as this
/// machine allows: the pull-request script in a git repository, the pre-commit hook through
/// pre-commit itself, and an `--out` directory through kubectl's kustomize.
@Suite("CI recipes")
struct CIRecipeTests {
    /// Runs a bash script in `dir` with the built isvc first on PATH; stdout and stderr together.
    static func bash(_ script: String, in dir: URL, env extra: [String: String] = [:]) throws -> Command.Outcome {
        let binary = try #require(CLITests.binary, "the isvc executable is built by swift test")
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["GIT_AUTHOR_NAME"] = "isvc test"
        env["GIT_AUTHOR_EMAIL"] = "test@example.com"
        env["GIT_COMMITTER_NAME"] = "isvc test"
        env["GIT_COMMITTER_EMAIL"] = "test@example.com"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        for (k, v) in extra { env[k] = v }
        return try Command.run("/bin/bash", ["-c", script], in: dir, environment: env)
    }

    /// A git repository with the iris example committed as deploy/iris.yaml; removed by the caller.
    static func repository() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-ci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("deploy"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: TestTools.root.appendingPathComponent("examples/sklearn-iris.yaml"),
            to: dir.appendingPathComponent("deploy/iris.yaml"))
        let r = try bash("git init -q -b main && git add -A && git commit -q -m base", in: dir)
        #expect(r.status == 0, "\(r.output)")
        return dir
    }

    static let script = TestTools.root.appendingPathComponent("examples/ci/isvc-pull-request.sh").path
    static let canary = "    canaryTrafficPercent: 20\n"

    @Test("the pull-request script: a canary change gives the rollout summary, exit 0")
    func pullRequestSummary() throws {
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo) }
        // A new model version as a 20 % canary: a new revision, traffic split 80/20.
        let file = repo.appendingPathComponent("deploy/iris.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "  predictor:\n", with: "  predictor:\n" + Self.canary)
        text = text.replacingOccurrences(of: "sklearn/1.0/model", with: "sklearn/2.0/model")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try Self.bash("bash \(Self.script) main deploy summary.md", in: repo)
        #expect(r.status == 0, "\(r.output)")
        let summary = try String(contentsOf: repo.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(summary.hasPrefix("### isvc diff --summary\n\n```\n"))
        #expect(summary.contains("default/sklearn-iris-predictor: new revision sklearn-iris-predictor-00002"))
        #expect(summary.contains("traffic after:  sklearn-iris-predictor-00002 20% (latest), sklearn-iris-predictor-00001 80% (tag prev)"))
        #expect(summary.hasSuffix("```\n"))
    }

    @Test("the pull-request script: an invalid manifest fails with GitHub annotations at its line")
    func pullRequestErrors() throws {
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo) }
        let file = repo.appendingPathComponent("deploy/iris.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "  predictor:\n", with: "  predictor:\n    minReplicas: 3\n    maxReplicas: 1\n")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try Self.bash("bash \(Self.script) main deploy summary.md", in: repo, env: ["ISVC_FORMAT": "github"])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("::error file=deploy/iris.yaml,line=7,"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: repo.appendingPathComponent("summary.md").path))
    }

    @Test(
        "the pre-commit hook passes a valid manifest and stops a commit of an invalid one",
        .enabled(if: TestTools.runs(with: TestTools.preCommit), Comment(rawValue: TestTools.missing)))
    func preCommitHook() throws {
        let preCommit = try #require(TestTools.preCommit, "\(TestTools.missing)")
        let repo = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repo) }
        let home = repo.appendingPathComponent(".pre-commit-home").path
        // try-repo runs this repository's .pre-commit-hooks.yaml as a user's config would name it.
        let hook = "\(preCommit) try-repo \(TestTools.root.path) isvc-check --files deploy/iris.yaml"
        let good = try Self.bash(hook, in: repo, env: ["PRE_COMMIT_HOME": home])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("isvc check") && good.output.contains("Passed"), "\(good.output)")

        let file = repo.appendingPathComponent("deploy/iris.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "  predictor:\n", with: "  predictor:\n    minReplicas: 3\n    maxReplicas: 1\n")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let bad = try Self.bash(hook, in: repo, env: ["PRE_COMMIT_HOME": home])
        #expect(bad.status != 0, "\(bad.output)")
        #expect(bad.output.contains("Failed"), "\(bad.output)")
        #expect(
            bad.output.contains("deploy/iris.yaml:7:18: error: 'MinReplicas' cannot be greater than MaxReplicas"),
            "\(bad.output)")
    }

    @Test(
        "compile --out writes a directory kustomize builds into the same objects",
        .enabled(if: TestTools.runs(with: TestTools.kubectl), Comment(rawValue: TestTools.missing)))
    func kustomizeBuild() throws {
        let kubectl = try #require(TestTools.kubectl, "\(TestTools.missing)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-kustomize-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = TestTools.root.appendingPathComponent("examples/sklearn-iris.yaml").path
        let compiled = try Self.bash("isvc compile \(example)", in: TestTools.root)
        #expect(compiled.status == 0)
        let out = try Self.bash("isvc compile --out \(dir.path) \(example)", in: TestTools.root)
        #expect(out.status == 0, "\(out.output)")
        let built = try Self.bash("\(kubectl) kustomize \(dir.path)", in: TestTools.root)
        #expect(built.status == 0, "\(built.output)")
        // kustomize orders objects its own way; the objects themselves must be the same.
        func objects(_ yaml: String) -> [String] {
            YAMLReader.read(text: yaml, file: "-", diagnostics: Diagnostics()).map { document in
                let v = Value(document.root)
                return "\(v["apiVersion"]?.string ?? "") \(v["kind"]?.string ?? "") "
                    + "\(v[path: ["metadata", "namespace"]]?.string ?? "")/\(v[path: ["metadata", "name"]]?.string ?? "")"
            }.sorted()
        }
        let expected = objects(compiled.output)
        #expect(expected.count > 10)
        #expect(objects(built.output) == expected)
    }
}
