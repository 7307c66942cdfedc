/// What the catalog says of one rule: how severe a finding is and what the rule checks.
public struct RuleDefinition: Sendable, Hashable {
    public var severity: Severity
    /// One line on what the rule checks; `docs/rules.md` lists it.
    public var summary: String

    public static func error(_ summary: String) -> RuleDefinition { RuleDefinition(severity: .error, summary: summary) }
    public static func warning(_ summary: String) -> RuleDefinition { RuleDefinition(severity: .warning, summary: summary) }
}

/// A family of rules, declared beside the checks that report them: an enum whose raw values are
/// the rule IDs users see in brackets (`[kserve.canary]`), each with its definition.
/// `RuleCatalog` lists the families, so every rule isvc can report is declared in exactly one place.
public protocol RuleFamily: CaseIterable, Sendable, RawRepresentable where RawValue == String {
    var definition: RuleDefinition { get }
}

extension RuleFamily {
    /// The ID users see in brackets and can grep for.
    public var id: String { rawValue }
}
