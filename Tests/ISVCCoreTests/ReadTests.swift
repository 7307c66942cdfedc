import Foundation
import Testing

@testable import ISVCCore

@Suite("Reading YAML")
struct ReadTests {
    func read(_ text: String, file: String = "t.yaml") -> ([SourceDocument], Diagnostics) {
        let d = Diagnostics()
        return (YAMLReader.read(text: text, file: file, diagnostics: d), d)
    }

    @Test(
        "scalars are typed as go-yaml v2 types them",
        arguments: [
            ("yes", Scalar.Tag.bool), ("on", .bool), ("Off", .bool), ("true", .bool), ("~", .null), ("null", .null),
            ("12", .int), ("-3", .int), ("0x1F", .int), ("017", .int), ("1_000", .int), ("0b101", .int),
            ("1.5", .float), ("1e3", .float), (".inf", .float), ("-.5", .float), ("1.10", .float),
            ("v1", .str), ("2Gi", .str), ("100m", .str), ("1.2.3", .str), ("0o17", .str), ("gs://a/b", .str), ("-", .str),
        ])
    func scalarTypes(_ text: String, _ tag: Scalar.Tag) {
        #expect(ScalarResolver.resolve(text) == tag)
    }

    @Test("quoted scalars are strings")
    func quoted() {
        let (docs, d) = read("a: \"1\"\nb: 'true'\nc: !!str 12\n")
        #expect(!d.hasErrors)
        #expect(docs[0].root["a"]?.string == "1")
        #expect(docs[0].root["b"]?.string == "true")
        #expect(docs[0].root["c"]?.string == "12")
    }

    @Test("documents keep their own line numbers")
    func lineNumbers() {
        let (docs, d) = read("a: 1\n---\n# comment\nb: 2\n---\n\nc:\n  d: x\n")
        #expect(!d.hasErrors)
        #expect(docs.count == 3)
        #expect(docs[1].root["b"]?.location.line == 4)
        #expect(docs[2].root["c"]?["d"]?.location == SourceLocation(file: "t.yaml", line: 8, column: 6))
    }

    @Test("a duplicate key is reported at its second occurrence")
    func duplicateKey() {
        let (_, d) = read("spec:\n  a: 1\n  b: 2\n  a: 3\n")
        #expect(d.all.map(\.rule) == ["yaml.duplicate-key"])
        #expect(d.all.first?.location?.line == 4)
        #expect(d.all.first?.location?.column == 3)
    }

    @Test("a syntax error in one document leaves the others readable")
    func syntaxErrorIsolated() {
        let (docs, d) = read("a: 1\n---\nb: [x\n---\nc: 3\n")
        #expect(docs.count == 2)
        #expect(d.all.count == 1)
        #expect(d.all.first?.location?.line == 4 || d.all.first?.location?.line == 3)
    }

    @Test("merge keys are expanded as Kubernetes' reader does")
    func mergeKeys() {
        let (docs, d) = read("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n")
        #expect(!d.hasErrors)
        #expect(docs[0].root["derived"]?["x"]?.scalar?.text == "1")
        #expect(docs[0].root["derived"]?["y"]?.scalar?.text == "3")
    }

    @Test("an alias bomb is rejected")
    func aliasBomb() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        let (docs, d) = read(text)
        #expect(docs.isEmpty)
        #expect(d.all.map(\.rule) == ["yaml.alias-bomb"])
    }

    @Test("deep nesting is an error, not a crash")
    func deepNesting() {
        let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let (_, d) = read(text)
        #expect(d.hasErrors)
    }

    @Test("an empty file or one with only comments is an error")
    func empty() {
        #expect(read("").1.all.map(\.rule) == ["yaml.empty"])
        #expect(read("# nothing\n---\n").1.all.map(\.rule) == ["yaml.empty"])
    }

    @Test(
        "malformed inputs never crash",
        arguments: [
            "a: b: c", "[", "{a: 1", "- a\nb: c", "a: |\n bad\n  indent", "\t- x", "a: *undefined", "? [a, b]\n: c",
            "key: 'unterminated", "%YAML 2.0\n---\na: 1", "a: !!binary \"###\"", "a:\n  - b\n - c",
        ])
    func malformed(_ text: String) {
        let d = Diagnostics()
        let inputs = InputLoader.load([.init(path: "m.yaml", text: text)], defaultNamespace: "default", diagnostics: d)
        _ = Validator.validate(inputs, mode: nil, diagnostics: d)
        #expect(d.all.allSatisfy { $0.location != nil })
    }
}
