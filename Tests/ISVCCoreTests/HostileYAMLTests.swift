import Foundation
import Testing

@testable import ISVCCore

/// Inputs built to exhaust time or memory (found by fuzzing): each is refused or read, and a refusal
/// says which limit was hit. How long each takes is measured by `bench/hostile-yaml.sh`, not here:
/// a test on a shared machine cannot tell a regression from a busy core.
@Suite("Hostile YAML")
struct HostileYAMLTests {
    func read(_ text: String) -> (documents: [SourceDocument], diagnostics: Diagnostics) {
        let d = Diagnostics()
        return (YAMLReader.read(text: text, file: "h.yaml", diagnostics: d), d)
    }

    /// A billion-laughs ladder: level 0 is a list of nine scalars, each next level a list of nine
    /// aliases of the one before; `levels` levels.
    static func ladder(_ levels: Int, prefix: String = "l") -> String {
        var lines = ["\(prefix)0: &\(prefix)0 [x, x, x, x, x, x, x, x, x]"]
        for k in 1..<levels {
            lines.append("\(prefix)\(k): &\(prefix)\(k) [" + Array(repeating: "*\(prefix)\(k - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("64 documents each just under the per-document alias budget hit the per-file budget")
    func perFileBudget() {
        // Six levels expand to 672,610 nodes: under the per-document million.
        let document = Self.ladder(6)
        let text = Array(repeating: document, count: 64).joined(separator: "---\n")
        let (docs, d) = read(text)
        #expect(docs.count == 2)
        let errors = d.all.filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors.map(\.formatted))")
        #expect(errors.first?.rule == "yaml.alias-bomb")
        #expect(errors.first?.message.contains("the file's documents together expand through aliases to more than 2000000 nodes") == true)
        // The third document's root, where the file's budget ran out.
        #expect(errors.first?.location?.line == 6 * 2 + 2 + 1)
    }

    @Test("an alias of a billion-laughs value used as a mapping key is an alias bomb, refused before Yams hashes the key")
    func billionLaughsKey() {
        let text = Self.ladder(10) + "? *l9\n: value\n"
        let (docs, d) = read(text)
        #expect(docs.isEmpty)
        #expect(d.all.map(\.rule) == ["yaml.alias-bomb"])
    }

    @Test("an alias of a large collection used as a mapping key is refused at the key")
    func largeKey() {
        // Five levels: 74,738 nodes in all, the key alone 66,430 (over the 10,000 a key may have).
        let text = Self.ladder(5) + "? *l4\n: value\n"
        let (docs, d) = read(text)
        #expect(docs.isEmpty)
        #expect(d.all.map(\.rule) == ["yaml.alias-bomb"])
        #expect(d.all.first?.message.contains("a mapping key expands to more than 10000 nodes") == true)
        #expect(d.all.first?.location == SourceLocation(file: "h.yaml", line: 6, column: 3))
    }

    @Test("a chain of merge keys reads, each level with every key of the ones before")
    func mergeChain() {
        var lines = ["m0: &m0 {k0: v}"]
        for k in 1...400 { lines.append("m\(k): &m\(k)\n  <<: *m\(k - 1)\n  k\(k): v") }
        let (docs, d) = read(lines.joined(separator: "\n") + "\n")
        #expect(d.all.isEmpty, "\(d.all.map(\.formatted))")
        #expect(docs.first?.root["m400"]?.keys.count == 401)
    }

    @Test("a merge over tens of thousands of keys reads, the mapping's own keys winning")
    func mergeManyKeys() {
        var lines = ["base: &base"]
        for k in 0..<20_000 { lines.append("  key\(k): v") }
        lines.append("merged:\n  <<: *base")
        for k in stride(from: 0, to: 20_000, by: 2) { lines.append("  key\(k): own") }
        let (docs, d) = read(lines.joined(separator: "\n") + "\n")
        #expect(d.all.isEmpty)
        let merged = docs.first?.root["merged"]
        #expect(merged?.keys.count == 20_000)
        #expect(merged?["key0"]?.string == "own")
        #expect(merged?["key1"]?.string == "v")
    }

    @Test("a 2-million-item plain sequence is refused for its node count, not called an alias bomb")
    func longSequence() {
        let text = "items:\n" + String(repeating: "- x\n", count: 2_000_000)
        let (docs, d) = read(text)
        #expect(docs.isEmpty)
        #expect(d.all.map(\.rule) == ["yaml.too-many-nodes"])
        #expect(d.all.first?.message.contains("more than 500000 nodes") == true)
        #expect(d.all.first?.message.contains("alias") == false)
    }

    @Test("the runtime-choice warning lists at most 10 other candidates and says how many more")
    func runtimeChoiceCap() {
        var text = ""
        for k in 0..<25 {
            text += """
                apiVersion: serving.kserve.io/v1alpha1
                kind: ServingRuntime
                metadata:
                  name: rt-\(String(format: "%02d", k))
                spec:
                  supportedModelFormats:
                    - name: sklearn
                      autoSelect: true
                  containers:
                    - name: kserve-container
                      image: example.com/sk:\(k)
                ---

                """
        }
        text +=
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: sk\nspec:\n  predictor:\n    model:\n      modelFormat:\n        name: sklearn\n      storageUri: gs://m/sk\n"
        let d = Diagnostics()
        _ = Compiler.check([.init(path: "r.yaml", text: text)], options: Compiler.Options(), diagnostics: d)
        let warning = d.all.first { $0.rule == "kserve.runtime-choice" }
        let notes = warning?.notes.map(\.message) ?? []
        #expect(notes.filter { $0.hasPrefix("ranked lower:") || $0.hasPrefix("rejected:") }.count == 10, "\(notes)")
        // 24 other namespace runtimes and the built-in kserve-sklearnserver rank lower; the two built-ins
        // listing sklearn are rejected (autoSelect false, protocol v2 only).
        #expect(notes.last == "... and 17 more", "\(notes)")
        #expect(warning?.message.hasPrefix("runtime ServingRuntime rt-00 was selected") == true, "\(String(describing: warning))")
        #expect(notes.first == "chosen: ServingRuntime rt-00", "\(notes)")
        // Runtimes from the input are pointed at (built-in ones have no place in the input: see the
        // xgboost-v2 golden).
        #expect(warning?.notes.first?.location == SourceLocation(file: "r.yaml", line: 1, column: 1))
        #expect(warning?.notes.filter { $0.message.contains("ServingRuntime rt-") }.allSatisfy { $0.location != nil } == true)
    }
}

extension HostileYAMLTests {
    @Test("a thousand ServingRuntimes with a thousand InferenceServices check with one selection per model format")
    func manyRuntimes() {
        var text = ""
        for k in 0..<1000 {
            text +=
                "apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nmetadata:\n  name: rt-\(k)\nspec:\n  supportedModelFormats:\n    - name: sklearn\n      autoSelect: true\n  containers:\n    - name: kserve-container\n      image: example.com/sk:\(k)\n---\n"
        }
        for k in 0..<1000 {
            text +=
                "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: sk-\(k)\nspec:\n  predictor:\n    model:\n      modelFormat:\n        name: sklearn\n      storageUri: gs://m/sk\n---\n"
        }
        let d = Diagnostics()
        let inputs = InputLoader.load([.init(path: "r.yaml", text: text)], defaultNamespace: "default", diagnostics: d)
        let selections = RuntimeSelectionCache()
        _ = Validator.validate(inputs, mode: nil, previous: nil, selections: selections, diagnostics: d)
        #expect(selections.made == 1)
        let warnings = d.all.filter { $0.rule == "kserve.runtime-choice" }
        #expect(warnings.count == 1000)
        #expect(warnings.allSatisfy { $0.notes.last?.message == "... and 992 more" }, "\(warnings.first?.formatted ?? "")")
    }
}
