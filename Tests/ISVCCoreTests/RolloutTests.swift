import Foundation
import Testing

@testable import ISVCCore

/// Rollout scenarios: `fixtures/rollouts/<scenario>/<step>.yaml`, each step compiled with the previous
/// step's output as the earlier rollout. Goldens: the compiled output of every step, and what
/// `isvc diff --summary` says from one step to the next.
@Suite("Rollouts")
struct RolloutTests {
    static func scenarios() -> [String] {
        let dir = Golden.root.appendingPathComponent("fixtures/rollouts")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    static func steps(_ scenario: String) -> [String] {
        let dir = Golden.root.appendingPathComponent("fixtures/rollouts/\(scenario)")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func compile(_ path: String, previous: [Value]?) -> (objects: [Value], report: String) {
        let diagnostics = Diagnostics()
        var options = Compiler.Options()
        options.previous = previous.map { PreviousState(objects: $0.map(Quantities.normalized)) }
        let result = Compiler.compile([.init(path: path, text: Golden.read(path) ?? "")], options: options, diagnostics: diagnostics)
        return (result.plan.objects.map(\.body), diagnostics.sorted.map(\.formatted).joined(separator: "\n"))
    }

    @Test("every step of a rollout scenario compiles to its golden, and its diff reads as recorded", arguments: scenarios())
    func scenario(_ name: String) throws {
        var previous: [Value]?
        for step in Self.steps(name) {
            let path = "fixtures/rollouts/\(name)/\(step).yaml"
            let (objects, report) = Self.compile(path, previous: previous)
            #expect(!objects.isEmpty, "\(path) must compile:\n\(report)")
            Golden.check(objects.map { PlanRenderer.yamlDocument($0) }.joined(), against: "golden/rollouts/\(name)/\(step).yaml")
            if let previous {
                let diff = DiffReport.make(old: previous, new: objects)
                var text = diff.text(color: false, objectDiffs: false)
                if !report.isEmpty { text = report + "\n" + text }
                Golden.check(text, against: "golden/rollouts/\(name)/\(step).diff.txt")
            }
            previous = objects
        }
    }

    @Test("a canary on a first deployment gives the new revision 100%; with an earlier rollout it splits")
    func canaryNeedsRollout() throws {
        let first = Self.compile("fixtures/rollouts/sklearn/02-canary-10-percent.yaml", previous: nil).objects
        let ksvc = try #require(first.first { $0["kind"] == "Service" && $0["apiVersion"] == "serving.knative.dev/v1" })
        #expect(ksvc[path: ["spec", "traffic"]] == [["latestRevision": true, "percent": 100]])
        let base = Self.compile("fixtures/rollouts/sklearn/01-first-deploy.yaml", previous: nil).objects
        let canary = Self.compile("fixtures/rollouts/sklearn/02-canary-10-percent.yaml", previous: base).objects
        let split = try #require(canary.first { $0["kind"] == "Service" && $0["apiVersion"] == "serving.knative.dev/v1" })
        #expect(
            split[path: ["spec", "traffic"]] == [
                ["latestRevision": true, "percent": 10],
                ["revisionName": "sklearn-iris-predictor-00001", "latestRevision": false, "percent": 90, "tag": "prev"],
            ])
    }

    @Test("the whole diff of a canary step names every changed line")
    func fullDiff() {
        let base = Self.compile("fixtures/rollouts/sklearn/01-first-deploy.yaml", previous: nil).objects
        let canary = Self.compile("fixtures/rollouts/sklearn/02-canary-10-percent.yaml", previous: base).objects
        Golden.check(
            DiffReport.make(old: base, new: canary).text(color: false), against: "golden/rollouts/sklearn/02-canary-10-percent.full.diff")
    }

    @Test(
        "quantities compare by amount, as the API server stores them",
        arguments: [
            ("1000m", "1"), ("1024Mi", "1Gi"), ("0.5", "500m"), ("1536Mi", "1536Mi"), ("2Gi", "2Gi"), ("100m", "100m"),
            ("1", "1"), ("1.5", "1500m"), ("2048Ki", "2Mi"), ("1000", "1k"), ("1000000", "1M"),
        ])
    func quantities(_ input: String, _ canonical: String) {
        #expect(Quantities.canonical(input) == canonical)
    }

    @Test("isvc diff exits 0 without changes, 1 with changes, 2 on errors")
    func diffExitCodes() throws {
        let cli = CLITests()
        let same = try cli.run(["diff", "fixtures/sklearn-iris.yaml", "fixtures/sklearn-iris.yaml"])
        #expect(same.status == 0)
        #expect(same.stdout.contains("objects: no changes"))
        let changed = try cli.run([
            "diff", "fixtures/rollouts/sklearn/01-first-deploy.yaml", "fixtures/rollouts/sklearn/02-canary-10-percent.yaml",
        ])
        #expect(changed.status == 1)
        #expect(changed.stdout.hasPrefix("default/sklearn-iris-predictor: new revision sklearn-iris-predictor-00002\n"))
        #expect(!changed.stdout.contains("\u{1B}["))
        #expect(try cli.run(["diff", "fixtures/sklearn-iris.yaml", "fixtures/error-min-above-max.yaml"]).status == 2)
        #expect(try cli.run(["diff", "fixtures/does-not-exist.yaml", "fixtures/sklearn-iris.yaml"]).status == 2)
        let json = try cli.run([
            "diff", "--format", "json", "fixtures/rollouts/sklearn/01-first-deploy.yaml",
            "fixtures/rollouts/sklearn/02-canary-10-percent.yaml",
        ])
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["changed"] as? Bool == true)
        let component = (object?["components"] as? [[String: Any]])?.first
        #expect(component?["newRevision"] as? String == "sklearn-iris-predictor-00002")
    }

    @Test("compile --previous reads an --out directory as well as a stream")
    func previousDirectory() throws {
        let cli = CLITests()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-prev-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try cli.run(["compile", "--out", dir.path, "fixtures/rollouts/sklearn/01-first-deploy.yaml"]).status == 0)
        let r = try cli.run(["compile", "--previous", dir.path, "fixtures/rollouts/sklearn/02-canary-10-percent.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("name: sklearn-iris-predictor-00002\n"))
        #expect(r.stdout.contains("revisionName: sklearn-iris-predictor-00001\n"))
        let diffDir = try cli.run(["diff", "--summary", dir.path, "fixtures/rollouts/sklearn/02-canary-10-percent.yaml"])
        #expect(diffDir.status == 1)
    }
}
