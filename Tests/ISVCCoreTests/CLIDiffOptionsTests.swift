import Foundation
import Testing

@testable import ISVCCore

/// `isvc diff` takes the input options `isvc compile` takes (`--mode`, `--strict`, `-n`).
@Suite("Command line: diff options")
struct CLIDiffOptionsTests {
    static let isvc = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: opts
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
              storageUri: gs://models/opts/%@
            timeoutz: 30

        """

    @Test("--mode standard compares Deployments; --strict makes a warning an error (exit 2)")
    func modeAndStrict() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent("old.yaml"), new = dir.appendingPathComponent("new.yaml")
        try String(format: Self.isvc, "v1").write(to: old, atomically: true, encoding: .utf8)
        try String(format: Self.isvc, "v2").write(to: new, atomically: true, encoding: .utf8)
        let cli = CLITests()
        let knative = try cli.run(["diff", "--summary", old.path, new.path])
        #expect(knative.status == 1, "\(knative.stderr)")
        #expect(knative.stdout.contains("new revision opts-predictor-00002"), "\(knative.stdout)")
        let standard = try cli.run(["diff", "--summary", "--mode", "standard", old.path, new.path])
        #expect(standard.status == 1, "\(standard.stderr)")
        #expect(standard.stdout.contains("default/opts-predictor (Deployment)"), "\(standard.stdout)")
        #expect(!standard.stdout.contains("revision"), "\(standard.stdout)")
        #expect(knative.stderr.contains("timeoutz") && knative.stderr.contains("warning"))
        let strict = try cli.run(["diff", "--strict", old.path, new.path])
        #expect(strict.status == 2, "\(strict.stdout)")
        #expect(strict.stderr.contains("error: ") && strict.stderr.contains("timeoutz"))
    }
}
