import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore

/// The `isvc` executable as users run it: exit codes, standard input, output formats.
@Suite("Command line")
struct CLITests {
    /// The `isvc` binary built beside the test bundle.
    static let binary = TestTools.isvc

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ args: [String], stdin: String? = nil) throws -> Run {
        let binary = try #require(Self.binary, "the isvc executable is built by swift test")
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = Golden.root
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test("compile prints the golden output of the example")
    func compileExample() throws {
        let r = try run(["compile", "fixtures/sklearn-iris.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout == Golden.read("golden/sklearn-iris/compiled.yaml"))
    }

    @Test("compile --emit status prints the status golden, after a comment; -o json a List; it stands alone")
    func emitStatus() throws {
        let r = try run(["compile", "--emit", "status", "fixtures/sklearn-iris.yaml"])
        #expect(r.status == 0)
        let comment = "# status of InferenceService default/sklearn-iris once ready, as KServe's controller sets it\n"
        #expect(r.stdout == comment + (Golden.read("golden/sklearn-iris/status.yaml") ?? ""))
        let json = try run(["compile", "--emit", "status", "-o", "json", "fixtures/sklearn-iris.yaml"])
        let list = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(list?["kind"] as? String == "List")
        #expect(
            ((list?["items"] as? [[String: Any]])?.first?["status"] as? [String: Any])?["url"] as? String
                == "http://sklearn-iris.default.example.com")
        let mixed = try run(["compile", "--emit", "status,kserve", "fixtures/sklearn-iris.yaml"])
        #expect(mixed.status != 0 && mixed.stderr.contains("--emit status prints the status alone"))
    }

    @Test("check exits 0 on a valid file, 1 on errors, 2 on unreadable input")
    func exitCodes() throws {
        #expect(try run(["check", "fixtures/sklearn-iris.yaml"]).status == 0)
        let bad = try run(["check", "fixtures/error-min-above-max.yaml"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("fixtures/error-min-above-max.yaml:7:18: error: 'MinReplicas' cannot be greater than MaxReplicas"))
        let missing = try run(["check", "fixtures/does-not-exist.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"))
        #expect(try run(["check", "fixtures"]).status == 2)
        #expect(try run(["compile", "fixtures/error-yaml-syntax.yaml"]).status == 1)
    }

    @Test("binary input is unusable input (exit 2)")
    func binaryInput() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-binary-\(UUID().uuidString)")
        try Data([0x00, 0xFF, 0xFE, 0x01]).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        #expect(try run(["check", path.path]).status == 2)
    }

    @Test("- reads standard input")
    func standardInput() throws {
        let text = Golden.read("fixtures/sklearn-iris.yaml") ?? ""
        let r = try run(["compile", "-", "-n", "prod"], stdin: text)
        #expect(r.status == 0)
        #expect(r.stdout.contains("namespace: prod"))
        #expect(r.stdout.contains("sklearn-iris.prod.example.com"))
    }

    @Test("--strict turns warnings into errors")
    func strict() throws {
        let text =
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: x}\nspec:\n  predictor:\n    model:\n      modelFormat: {name: sklearn}\n      storageUrl: gs://a/b\n"
        #expect(try run(["check", "-"], stdin: text).status == 0)
        let r = try run(["check", "--strict", "-"], stdin: text)
        #expect(r.status == 1)
        #expect(
            r.stderr.contains(
                "<stdin>:8:7: error: spec.predictor.model.storageUrl: unknown field \"storageUrl\" (did you mean \"storageUri\"?)"))
    }

    @Test("-o json prints a List that parses as JSON")
    func json() throws {
        let r = try run(["compile", "-o", "json", "fixtures/sklearn-iris.yaml"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["kind"] as? String == "List")
        #expect((object?["items"] as? [Any])?.count == 16)
    }

    @Test("--emit selects layers")
    func emit() throws {
        let istio = try run(["compile", "--emit", "istio", "fixtures/sklearn-iris.yaml"])
        let kinds = istio.stdout.split(separator: "\n").filter { $0.hasPrefix("kind: ") }
        #expect(kinds.count == 3)
        #expect(kinds.allSatisfy { $0 == "kind: VirtualService" })
        let kserve = try run(["compile", "--emit", "kserve", "fixtures/sklearn-iris.yaml"])
        #expect(kserve.stdout.components(separatedBy: "# created by kserve-controller").count - 1 == 3)
        #expect(try run(["compile", "--emit", "nonsense", "fixtures/sklearn-iris.yaml"]).status != 0)
    }

    @Test("--out writes one file per object and a kustomization listing them")
    func outDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["compile", "--out", dir.path, "fixtures/transformer.yaml"])
        #expect(r.status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files.contains("kustomization.yaml"))
        let objects = (Golden.read("golden/transformer/compiled.yaml") ?? "").components(separatedBy: "\n---\n").count
        #expect(files.count == objects + 1)
        let kustomization = try String(contentsOf: dir.appendingPathComponent("kustomization.yaml"), encoding: .utf8)
        for file in files where file != "kustomization.yaml" {
            #expect(kustomization.contains("- \(file)\n"))
        }
    }

    @Test("--format github prints workflow annotations")
    func github() throws {
        let r = try run(["check", "--format", "github", "fixtures/error-invalid-name.yaml"])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("::error file=fixtures/error-invalid-name.yaml,line=4,col=9,title=isvc kserve.name::"))
    }

    @Test(
        "serve --request: the quick start answers V1 and V2 through the gateway and exits 0; a failed answer exits 1",
        .timeLimit(.minutes(15)))
    func serveRequest() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-cli-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let bad = work.appendingPathComponent("three-features.json")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Data(#"{"instances": [[1, 2, 3]]}"#.utf8).write(to: bad)
        try await LoopbackLock.run {
            let ok = try run([
                "serve", "examples/serve/sklearn-iris.yaml", "--port", "0", "--admin-port", "0", "--workdir", work.path,
                "--request", "examples/serve/iris-input.json", "--request", "examples/serve/iris-input-v2.json",
            ])
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stdout.contains("\n200 {\"predictions\":[1,1]}\n"), "\(ok.stdout)")
            #expect(ok.stdout.contains(#""outputs":[{"data":[1,1],"datatype":"INT64","name":"output-0","shape":[2]}]"#), "\(ok.stdout)")
            let failed = try run([
                "serve", "examples/serve/sklearn-iris.yaml", "--port", "0", "--admin-port", "0", "--workdir", work.path,
                "--request", bad.path,
            ])
            #expect(failed.status == 1)
            #expect(
                failed.stdout.contains("500 {\"error\":\"X has 3 features, but SVC is expecting 4 features as input.\"}"),
                "\(failed.stdout)")
        }
    }

    @Test(
        "serve --max-tensor-elements reaches the in-process model: 8 elements pass, 4 are a 413 naming the option; 0 is refused",
        .timeLimit(.minutes(15)))
    func serveElementLimit() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-cli-limit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        try await LoopbackLock.run {
            let ok = try run([
                "serve", "examples/serve/sklearn-iris.yaml", "--port", "0", "--admin-port", "0", "--workdir", work.path,
                "--max-tensor-elements", "8", "--request", "examples/serve/iris-input.json",
            ])
            #expect(ok.status == 0 && ok.stdout.contains("\n200 {\"predictions\":[1,1]}\n"), "\(ok.stdout)\(ok.stderr)")
            let limited = try run([
                "serve", "examples/serve/sklearn-iris.yaml", "--port", "0", "--admin-port", "0", "--workdir", work.path,
                "--max-tensor-elements", "4", "--request", "examples/serve/iris-input.json",
            ])
            #expect(limited.status == 1)
            #expect(limited.stdout.contains("413 {\"error\":\"the request carries more than 4 tensor elements"), "\(limited.stdout)")
            #expect(limited.stdout.contains("isvc serve --max-tensor-elements 4"), "\(limited.stdout)")
        }
        let zero = try run(["serve", "examples/serve/sklearn-iris.yaml", "--max-tensor-elements", "0"])
        #expect(zero.status != 0 && zero.stderr.contains("--max-tensor-elements must be at least 1"), "\(zero.stderr)")
    }

    @Test(
        "serve --request with process replicas: transformer to predictor through the internal listener, as the CLI runs the gateway",
        .timeLimit(.minutes(15)))
    func serveProcessReplicas() async throws {
        // The CLI runs Swift concurrency on the NIO event loops (the gateway tests in process do not):
        // this runs process replicas, their readiness probes and the internal hop under it.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-cli-chain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        try await LoopbackLock.run {
            let r = try run([
                "serve", "fixtures/support/echo-chain.yaml", "--port", "0", "--admin-port", "0", "--workdir",
                work.appendingPathComponent("w").path,
                "--request", "examples/serve/iris-input.json", "--request", "examples/serve/iris-input.json",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let answers = r.stdout.split(separator: "\n").filter { $0.hasPrefix("200 ") }
            #expect(answers.count == 2, "\(r.stdout)")
            for a in answers {
                #expect(a.contains(#""backend": "the-transformer""#) || a.contains(#""backend":"the-transformer""#), "\(a)")
                #expect(a.contains("the-predictor"), "\(a)")
            }
        }
    }

    @Test("an --endpoint that names no cluster is a warning listing the hosts; Envoy flags without --emit envoy are errors")
    func endpointFlags() throws {
        let unmatched = try run([
            "compile", "--emit", "envoy", "--endpoint", "sklearn-iris-predictor.default=127.0.0.1:9000",
            "fixtures/sklearn-iris.yaml",
        ])
        #expect(unmatched.status == 0)
        #expect(unmatched.stderr.contains("warning: --endpoint sklearn-iris-predictor.default=127.0.0.1:9000: no cluster"))
        #expect(unmatched.stderr.contains("sklearn-iris-predictor-00001.default.svc.cluster.local"))
        let matched = try run([
            "compile", "--emit", "envoy", "--endpoint",
            "sklearn-iris-predictor-00001.default.svc.cluster.local=127.0.0.1:9000", "fixtures/sklearn-iris.yaml",
        ])
        #expect(matched.status == 0)
        #expect(matched.stderr.isEmpty, "\(matched.stderr)")
        #expect(matched.stdout.contains("port_value: 9000"))
        for flags in [
            ["--endpoint", "a=127.0.0.1:1"], ["--envoy-listen", "127.0.0.1"], ["--envoy-port-offset", "5"],
            ["--envoy-admin-port", "1"],
        ] {
            let r = try run(["compile"] + flags + ["fixtures/sklearn-iris.yaml"])
            #expect(r.status != 0)
            #expect(r.stderr.contains("\(flags[0]) applies to the Envoy config only: add --emit envoy"), "\(r.stderr)")
        }
    }
}
