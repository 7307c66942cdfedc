import Foundation
import LoopbackSupport
import Testing

/// `isvc diff --format json` is documented by schemas/output/isvc-diff.schema.json; every step of
/// every rollout scenario's output must validate against it (Python's jsonschema, draft 2020-12).
@Suite("isvc diff --format json: its schema")
struct DiffJSONSchemaTests {
    static let validator = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        bad = 0
        for path in sys.argv[2:]:
            for error in validator.iter_errors(json.load(open(path))):
                bad += 1
                print(f"{path}: {error.json_path}: {error.message}")
        print(f"{len(sys.argv) - 2} documents, {bad} errors")
        sys.exit(1 if bad else 0)
        """

    static func validate(_ documents: [URL]) throws -> Command.Outcome {
        let python = try #require(TestTools.conformPython, "\(TestTools.missing)")
        let schema = TestTools.root.appendingPathComponent("schemas/output/isvc-diff.schema.json").path
        return try Command.run(python, ["-c", validator, schema] + documents.map(\.path))
    }

    @Test(
        "every rollout step's diff validates; a document with a wrong value does not",
        .enabled(if: TestTools.runs(with: TestTools.conformPython), Comment(rawValue: TestTools.missing)))
    func rolloutDiffsValidate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-diff-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rollouts = TestTools.root.appendingPathComponent("fixtures/rollouts")
        var documents: [URL] = []
        var seen: Set<String> = []
        for scenario in try FileManager.default.contentsOfDirectory(atPath: rollouts.path).sorted() {
            let steps = try FileManager.default.contentsOfDirectory(atPath: rollouts.appendingPathComponent(scenario).path)
                .filter { $0.hasSuffix(".yaml") }.sorted()
            for (old, new) in zip(steps, steps.dropFirst()) {
                let r = try CLITests().run([
                    "diff", "--format", "json", "fixtures/rollouts/\(scenario)/\(old)",
                    "fixtures/rollouts/\(scenario)/\(new)",
                ])
                // Each side compiled on its own: some pairs change nothing (0), the others something (1).
                #expect(r.status == 0 || r.status == 1, "\(scenario) \(old) -> \(new): \(r.stderr)")
                #expect(r.stdout.contains("\"changed\""), "\(r.stdout)")
                let file = dir.appendingPathComponent("\(scenario)-\(new).json")
                try r.stdout.write(to: file, atomically: true, encoding: .utf8)
                documents.append(file)
                // Which parts of the schema the steps reach.
                for key in ["newRevision", "\"tag\"", "\"deployment\"", "\"httpRoute\"", "\"removed\"", "\"added\""]
                where r.stdout.contains(key) { seen.insert(key) }
            }
        }
        #expect(documents.count >= 15)
        #expect(seen.count == 6, "parts of the schema no step reaches: \(seen)")
        let good = try Self.validate(documents)
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("\(documents.count) documents, 0 errors"), "\(good.output)")

        // The check can fail: an object change the schema does not name.
        let text = try String(contentsOf: documents[0], encoding: .utf8)
        let broken = dir.appendingPathComponent("broken.json")
        try text.replacingOccurrences(of: "\"change\": \"changed\"", with: "\"change\": \"modified\"")
            .replacingOccurrences(of: "\"change\":\"changed\"", with: "\"change\":\"modified\"")
            .write(to: broken, atomically: true, encoding: .utf8)
        let bad = try Self.validate([broken])
        #expect(bad.status == 1, "\(bad.output)")
        #expect(bad.output.contains("'modified' is not one of"), "\(bad.output)")
    }
}
