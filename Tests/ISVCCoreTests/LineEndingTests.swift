import Foundation
import Testing

@testable import ISVCCore

/// The same YAML with other line ends and stream markers reads the same: every fixture (and every
/// rollout step) with CRLF line ends, a byte order mark, a trailing `...` document end marker, and all
/// three at once gives the same diagnostics and the same compiled objects as its LF original.
@Suite("Line ends and markers")
struct LineEndingTests {
    static let variants: [(name: String, make: @Sendable (String) -> String)] = [
        ("CRLF", { $0.replacingOccurrences(of: "\n", with: "\r\n") }),
        ("BOM", { "\u{FEFF}" + $0 }),
        ("trailing ...", { $0 + ($0.hasSuffix("\n") || $0.isEmpty ? "" : "\n") + "...\n" }),
        (
            "BOM, CRLF and ...",
            { "\u{FEFF}" + ($0 + ($0.hasSuffix("\n") || $0.isEmpty ? "" : "\n") + "...\n").replacingOccurrences(of: "\n", with: "\r\n") }
        ),
    ]

    /// Diagnostics and the YAML stream of one compile, with the fixture's own options.
    static func compile(
        _ path: String, text: String, options fixture: FixtureOptions, previous: [Value]? = nil
    ) -> (report: String, yaml: String, objects: [Value]) {
        let diagnostics = Diagnostics(strict: fixture.strict)
        var options = Compiler.Options()
        options.defaultNamespace = fixture.namespace
        options.mode = fixture.mode
        options.previous = previous.map { PreviousState(objects: $0.map(Quantities.normalized)) }
        let result = Compiler.compile([.init(path: path, text: text)], options: options, diagnostics: diagnostics)
        let report = diagnostics.sorted.map(\.formatted).joined(separator: "\n")
        return (report, PlanRenderer.yaml(result.plan.selecting(fixture.emit)), result.plan.objects.map(\.body))
    }

    static func checkReport(_ path: String, text: String, options fixture: FixtureOptions) -> String {
        let diagnostics = Diagnostics(strict: fixture.strict)
        var options = Compiler.Options()
        options.defaultNamespace = fixture.namespace
        options.mode = fixture.mode
        _ = Compiler.check([.init(path: path, text: text)], options: options, diagnostics: diagnostics)
        return diagnostics.sorted.map(\.formatted).joined(separator: "\n")
    }

    @Test("every fixture checks and compiles the same with CRLF, a BOM and a trailing ...", arguments: Golden.fixtureNames())
    func fixture(_ name: String) {
        let path = "fixtures/\(name).yaml"
        let original = Golden.read(path) ?? ""
        let options = FixtureOptions(original)
        let base = Self.compile(path, text: original, options: options)
        let baseCheck = Self.checkReport(path, text: original, options: options)
        for (variant, make) in Self.variants {
            let text = make(original)
            let other = Self.compile(path, text: text, options: options)
            #expect(
                other.report == base.report,
                "\(variant) \(name): diagnostics differ:\n\(UnifiedDiff.diff(base.report, other.report, oldName: "LF", newName: variant))")
            #expect(
                other.yaml == base.yaml,
                "\(variant) \(name): compile output differs:\n\(UnifiedDiff.diff(base.yaml, other.yaml, oldName: "LF", newName: variant))")
            #expect(Self.checkReport(path, text: text, options: options) == baseCheck, "\(variant) \(name): check differs")
        }
    }

    @Test("every rollout step compiles the same with CRLF, a BOM and a trailing ...", arguments: RolloutTests.scenarios())
    func rollout(_ scenario: String) {
        for (variant, make) in Self.variants {
            var previousLF: [Value]?
            var previousVariant: [Value]?
            for step in RolloutTests.steps(scenario) {
                let path = "fixtures/rollouts/\(scenario)/\(step).yaml"
                let original = Golden.read(path) ?? ""
                let options = FixtureOptions(original)
                let base = Self.compile(path, text: original, options: options, previous: previousLF)
                let other = Self.compile(path, text: make(original), options: options, previous: previousVariant)
                #expect(other.report == base.report, "\(variant) \(path): diagnostics differ")
                #expect(
                    other.yaml == base.yaml,
                    "\(variant) \(path): compile output differs:\n\(UnifiedDiff.diff(base.yaml, other.yaml, oldName: "LF", newName: variant))"
                )
                previousLF = base.objects
                previousVariant = other.objects
            }
        }
    }

    static let twoErrors = """
        # two InferenceServices, each with an error
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: first
        spec:
          predictor:
            minReplicas: -1
            model:
              modelFormat:
                name: sklearn
              storageUri: gs://models/a
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: second
        spec:
          predictor:
            minReplicas: -2
            model:
              modelFormat:
                name: sklearn
              storageUri: gs://models/b

        """

    @Test("a CRLF file whose first document starts with a comment keeps that document")
    func crlfLeadingComment() {
        let crlf = Self.twoErrors.replacingOccurrences(of: "\n", with: "\r\n")
        let lf = Diagnostics(), cr = Diagnostics()
        let lfDocs = YAMLReader.read(text: Self.twoErrors, file: "t.yaml", diagnostics: lf)
        let crDocs = YAMLReader.read(text: crlf, file: "t.yaml", diagnostics: cr)
        #expect(lfDocs.count == 2)
        #expect(crDocs.count == 2)
        let checked = Diagnostics()
        _ = Compiler.check([.init(path: "t.yaml", text: crlf)], options: Compiler.Options(), diagnostics: checked)
        #expect(checked.errorCount == 2, "\(checked.all.map(\.formatted))")
        #expect(checked.sorted.map { $0.location?.line } == [8, 20])
    }

    @Test(
        "a %YAML directive before --- belongs to the document",
        arguments: [
            "%YAML 1.1\n---\n", "%YAML 1.1\n%TAG !k! tag:example.com,2000:\n---\n", "# header\n%YAML 1.1\n---\n",
        ])
    func directive(_ header: String) {
        let text = header + "a: 1\n---\nb: 2\n...\n%YAML 1.1\n---\nc: 3\n"
        let d = Diagnostics()
        let docs = YAMLReader.read(text: text, file: "t.yaml", diagnostics: d)
        #expect(d.all.isEmpty, "\(d.all.map(\.formatted))")
        #expect(docs.map { $0.root.keys } == [["a"], ["b"], ["c"]])
        let headerLines = header.filter { $0 == "\n" }.count
        #expect(docs.map { $0.root.location.line } == [headerLines + 1, headerLines + 3, headerLines + 7])
    }

    @Test("a duplicate key in a CRLF file is reported at its second occurrence, as in LF")
    func crlfDuplicate() {
        let text = "a: 1\nb: 2\na: 3\n"
        let lf = Diagnostics(), cr = Diagnostics()
        _ = YAMLReader.read(text: text, file: "t.yaml", diagnostics: lf)
        _ = YAMLReader.read(text: text.replacingOccurrences(of: "\n", with: "\r\n"), file: "t.yaml", diagnostics: cr)
        #expect(cr.all.map(\.formatted) == lf.all.map(\.formatted))
        #expect(lf.all.first?.location?.line == 3)
    }
}
