/// Every rule isvc reports, family by family. A family is declared beside its checks; this list
/// only names them, so a test can prove each rule has a fixture that triggers it and
/// `docs/rules.md` can be written from the declarations.
public enum RuleCatalog {
    public struct Entry: Sendable, Hashable {
        public var id: String
        public var definition: RuleDefinition
    }

    static let families: [any RuleFamily.Type] = [
        InputRule.self, YAMLRule.self, SchemaRule.self, ConfigMapRule.self, KServeRule.self,
        RuntimeRule.self, KnativeRule.self, IstioRule.self, LLMRule.self, ISVCRule.self, PreviousStateRule.self, OutputRule.self,
    ]

    /// Every rule, sorted by ID.
    public static var all: [Entry] {
        families.flatMap { entries(of: $0) }.sorted { $0.id < $1.id }
    }

    private static func entries<F: RuleFamily>(of family: F.Type) -> [Entry] {
        F.allCases.map { Entry(id: $0.id, definition: $0.definition) }
    }

    /// The catalog as Markdown, one table row a rule: what `docs/rules.md` holds.
    public static var markdown: String {
        var lines = [
            "# Rules",
            "",
            "Every diagnostic isvc reports names its rule in brackets, `[rule]`. This page is written from the",
            "rule declarations (`RuleCatalog` in `Sources/ISVCCore/Diagnostics`); `UPDATE_GOLDEN=1 swift test` rewrites it,",
            "and `fixtures/rules/` has one input that triggers each rule.",
            "",
            "Warnings become errors under `--strict`.",
            "",
            "| rule | severity | what it checks |",
            "| --- | --- | --- |",
        ]
        for entry in all {
            lines.append("| `\(entry.id)` | \(entry.definition.severity.rawValue) | \(entry.definition.summary) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
