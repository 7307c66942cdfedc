import Foundation
import Testing

@testable import ISVCCore

/// The diagnostics catalog: every rule is declared once, documented in docs/rules.md, and triggered
/// by an input, either a fixture in fixtures/rules/<rule>.yaml (its report golden in
/// golden/rules/<rule>.txt) or, for the few that need more than a YAML file, a trigger below.
@Suite("Rule catalog")
struct RuleCatalogTests {
    static func ruleFixtures() -> [String] {
        let dir = Golden.root.appendingPathComponent("fixtures/rules")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Rules an input file alone cannot trigger, each with what triggers it.
    static let triggers: [String: @Sendable () -> [Diagnostic]] = [
        "input.unreadable": {
            let missing = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-missing-\(UUID().uuidString).yaml").path
            return [InputFiles.read(missing), InputFiles.read(FileManager.default.temporaryDirectory.path)].compactMap(failure)
        },
        "input.not-text": {
            [InputFiles.read("-", standardInput: { Data([0x61, 0x3A, 0x20, 0xFF, 0x0A]) })].compactMap(failure)
        },
        "yaml.too-many-nodes": {
            let text =
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  x: [" + String(repeating: "0,", count: 500_000) + "0]\n"
            let diagnostics = Diagnostics()
            _ = YAMLReader.read(text: text, file: "big.yaml", diagnostics: diagnostics)
            return diagnostics.all
        },
        "llm.left-out": {
            let diagnostics = Diagnostics()
            let path = "fixtures/llm-opt-125m.yaml"
            let result = Compiler.compile([.init(path: path, text: Golden.read(path) ?? "")], options: .init(), diagnostics: diagnostics)
            let left = Compiler.leavingOutLLMServices(result, by: "isvc serve", diagnostics: diagnostics)
            return left.plan.objects.isEmpty && left.validated.llmServices.isEmpty ? diagnostics.all : []
        },
        "previous.not-compiled": {
            let diagnostics = Diagnostics()
            _ = PreviousState.load(
                [.init(path: "fixtures/sklearn-iris.yaml", text: Golden.read("fixtures/sklearn-iris.yaml") ?? "")],
                diagnostics: diagnostics)
            return diagnostics.all
        },
        "output.unwritable": {
            // A directory cannot be made under a regular file.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-file-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: file.path, contents: Data())
            defer { try? FileManager.default.removeItem(at: file) }
            return [OutputDirectory.write(Plan(), to: file.appendingPathComponent("out").path)].compactMap { $0 }
        },
    ]

    static func failure(_ result: Result<InputLoader.Source, Diagnostic>) -> Diagnostic? {
        if case .failure(let diagnostic) = result { return diagnostic }
        return nil
    }

    @Test("rule IDs are unique, lower-case family.name, and each family keeps to one prefix")
    func ids() {
        let ids = RuleCatalog.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.range(of: #"^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression) != nil, "\(id)")
        }
        #expect(RuleCatalog.all.count >= 80)
        for family in RuleCatalog.families {
            let prefixes = Set(Self.ids(of: family).map { $0.prefix { $0 != "." } })
            #expect(prefixes.count == 1, "\(family): \(prefixes.sorted())")
        }
    }

    static func ids<F: RuleFamily>(of family: F.Type) -> [String] { F.allCases.map(\.id) }

    @Test("docs/rules.md is the catalog")
    func documentation() {
        Golden.check(RuleCatalog.markdown, against: "docs/rules.md")
    }

    @Test("every rule in the catalog has an input that triggers it, and every rule fixture names a rule")
    func coverage() {
        let catalog = Set(RuleCatalog.all.map(\.id))
        let fixtures = Set(Self.ruleFixtures())
        let triggered = Set(Self.triggers.keys)
        #expect(fixtures.isDisjoint(with: triggered))
        let missing = catalog.subtracting(fixtures).subtracting(triggered)
        #expect(missing.isEmpty, "rules with no fixture in fixtures/rules and no trigger: \(missing.sorted())")
        let stray = fixtures.union(triggered).subtracting(catalog)
        #expect(stray.isEmpty, "fixtures or triggers for rules the catalog does not declare: \(stray.sorted())")
    }

    @Test("a rule's fixture reports that rule, with the catalog's severity", arguments: ruleFixtures())
    func fixture(_ rule: String) throws {
        let path = "fixtures/rules/\(rule).yaml"
        let text = try #require(Golden.read(path))
        let options = FixtureOptions(text)
        let diagnostics = Diagnostics(strict: options.strict)
        var compilerOptions = Compiler.Options()
        compilerOptions.defaultNamespace = options.namespace
        compilerOptions.mode = options.mode
        _ = Compiler.check([.init(path: path, text: text)], options: compilerOptions, diagnostics: diagnostics)
        let found = diagnostics.all.filter { $0.rule == rule }
        #expect(!found.isEmpty, "\(path) does not trigger [\(rule)]: \(diagnostics.all.map(\.formatted))")
        let severity = RuleCatalog.all.first { $0.id == rule }?.definition.severity
        #expect(found.allSatisfy { $0.severity == severity })
        var report = diagnostics.sorted.map(\.formatted).joined(separator: "\n")
        report += (report.isEmpty ? "" : "\n") + "exit: \(diagnostics.hasErrors ? 1 : 0)\n"
        Golden.check(report, against: "golden/rules/\(rule).txt")
    }

    @Test("the rules a YAML file cannot trigger are triggered by their own inputs", arguments: triggers.keys.sorted())
    func trigger(_ rule: String) throws {
        let make = try #require(Self.triggers[rule])
        let diagnostics = make()
        #expect(diagnostics.contains { $0.rule == rule }, "\(diagnostics.map(\.formatted))")
        for d in diagnostics { #expect(d.location != nil, "\(d.formatted)") }
    }

    @Test("a problem with a file is a diagnostic on the whole file, in text and in GitHub annotations")
    func wholeFile() throws {
        let d = try #require(Self.failure(InputFiles.read(FileManager.default.temporaryDirectory.path)))
        #expect(d.formatted == "\(FileManager.default.temporaryDirectory.path): error: is a directory, not a YAML file [input.unreadable]")
        #expect(d.githubAnnotation.hasPrefix("::error file="))
        #expect(!d.githubAnnotation.contains("line="))
    }

    @Test("notes print under their diagnostic, with a place when they have one")
    func notes() {
        let d = Diagnostic(
            YAMLRule.duplicateKey, "duplicate key \"a\" in a mapping", at: SourceLocation(file: "f.yaml", line: 3, column: 1),
            notes: [Note("\"a\" is first defined here", at: SourceLocation(file: "f.yaml", line: 1, column: 1)), Note("no place")])
        #expect(
            d.formatted == """
                f.yaml:3:1: error: duplicate key "a" in a mapping [yaml.duplicate-key]
                f.yaml:1:1: note: "a" is first defined here
                note: no place
                """)
        #expect(d.githubAnnotation.hasSuffix("%0Af.yaml:1:1: note: \"a\" is first defined here%0Anote: no place"))
    }

    @Test("under --strict a warning counts as an error, whoever made it")
    func strict() {
        let diagnostics = Diagnostics(strict: true)
        diagnostics.append(Diagnostic(InputRule.unknownKind, "w", at: nil))
        diagnostics.report("w", at: nil, rule: SchemaRule.unknownField)
        #expect(diagnostics.errorCount == 2)
    }
}
