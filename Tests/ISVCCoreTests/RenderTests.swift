import Foundation
import Testing

@testable import ISVCCore

@Suite("Rendering")
struct RenderTests {
    static let tricky = [
        "true", "false", "yes", "on", "null", "~", "", " ", "1", "1.0", "0o17", "1:20", "0x10", "1e3", "-", "- a",
        "a: b", "a:b", "a #b", "a#b", "#a", "&a", "*a", "!a", "%a", "@a", "`a", "'a'", "\"a\"", "[a]", "{a}", "a,b",
        "?a", ":a", "a:", "---", "...", "é ü", "tab\there", "line\nbreak", "trailing ", " leading", "--model_name=x",
        "^sklearn\\.default(?::\\d{1,5})?$", "{\"configurations\":[]}", "kserve/sklearnserver:v0.20.0", "2Gi", "100m",
    ]

    @Test("every string reads back as the same string", arguments: tricky)
    func roundTrip(_ s: String) {
        let yaml = YAMLWriter.document(["k": .string(s), "list": [.string(s)]])
        let d = Diagnostics()
        let docs = YAMLReader.read(text: yaml, file: "r.yaml", diagnostics: d)
        #expect(!d.hasErrors, "\(yaml)")
        #expect(docs.first?.root["k"]?.string == s, "\(yaml)")
        #expect(docs.first?.root["list"]?.sequence?.first?.string == s, "\(yaml)")
    }

    @Test("strings a reader would type otherwise are double-quoted, as kubectl prints them")
    func quotingStyle() {
        #expect(YAMLWriter.scalarText("1") == "\"1\"")
        #expect(YAMLWriter.scalarText("true") == "\"true\"")
        #expect(YAMLWriter.scalarText("{\"a\":1}") == "'{\"a\":1}'")
        #expect(YAMLWriter.scalarText("gs://bucket/model") == "gs://bucket/model")
        #expect(YAMLWriter.scalarText("8ab74ac3-6b88-5805-b484-3c1b8559c479") == "8ab74ac3-6b88-5805-b484-3c1b8559c479")
    }

    @Test("top-level keys come in kubectl's order, nested keys sorted")
    func keyOrder() {
        let v: Value = ["status": [:], "spec": ["b": 1, "a": 2], "metadata": ["name": "x"], "kind": "K", "apiVersion": "v1"]
        #expect(YAMLWriter.document(v) == "apiVersion: v1\nkind: K\nmetadata:\n  name: x\nspec:\n  a: 2\n  b: 1\nstatus: {}\n")
    }

    @Test("sequences of mappings are laid out as kubectl lays them out")
    func sequences() {
        let v: Value = ["items": [["name": "a", "value": "1"], [["x": 1]], []]]
        #expect(YAMLWriter.document(v) == "items:\n- name: a\n  value: \"1\"\n- - x: 1\n- []\n")
    }

    @Test("JSON output is valid JSON with the same content")
    func json() throws {
        let v: Value = ["apiVersion": "v1", "s": "quote\" slash\\ nl\n", "n": 1, "b": true, "z": nil, "a": [1.5, "x"]]
        let text = JSONWriter.write(v)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["s"] as? String == "quote\" slash\\ nl\n")
        #expect(text.hasPrefix("{\n  \"apiVersion\": \"v1\","))
    }

    @Test("unified diff shows changed lines with context")
    func diff() {
        let d = UnifiedDiff.diff("a\nb\nc\nd\n", "a\nB\nc\nd\n", oldName: "old", newName: "new")
        #expect(d == "--- old\n+++ new\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n")
        #expect(UnifiedDiff.diff("", "x\ny\n") == "--- expected\n+++ actual\n@@ -0,0 +1,2 @@\n+x\n+y\n")
        #expect(UnifiedDiff.diff("same\n", "same\n").isEmpty)
    }
}

@Suite("Durations for Envoy")
struct EnvoyDurationTests {
    @Test(
        "Go durations in Istio's API become protobuf JSON durations, as Envoy's config requires",
        arguments: [
            ("100ms", "0.100s"), ("2s", "2s"), ("1m30s", "90s"), ("1.5s", "1.500s"), ("250us", "0.000250s"),
            ("1h", "3600s"), ("0s", "0s"), ("1ns", "0.000000001s"),
        ])
    func protobuf(text: String, expected: String) {
        #expect(Durations.protobuf(text) == expected)
    }

    @Test("text that is not a duration is nil", arguments: ["", "abc", "10", "5 s", "s", "1x"])
    func invalid(text: String) {
        #expect(Durations.protobuf(text) == nil)
    }
}
