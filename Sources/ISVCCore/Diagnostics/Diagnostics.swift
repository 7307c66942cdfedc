/// The one diagnostics collector every stage writes to. Stages collect every problem they can
/// find before the pipeline decides whether to stop. Safe to share between parallel jobs (a lock
/// guards the list); the parallel stages still give each job its own and merge them in input
/// order, so the order of the report does not depend on scheduling.
public final class Diagnostics: Sendable {
    private let found = Locked<[Diagnostic]>([])
    /// Whether warnings count as errors (`--strict`).
    public let strict: Bool

    public init(strict: Bool = false) {
        self.strict = strict
    }

    /// Every diagnostic so far, in the order they were reported.
    public var all: [Diagnostic] { found.withLock { $0 } }

    /// Reports a finding of `rule`, with the severity the catalog declares for it.
    public func report(_ message: String, at location: SourceLocation?, rule: some RuleFamily, notes: [Note] = []) {
        append(Diagnostic(rule, message, at: location, notes: notes))
    }

    /// Adds a diagnostic made elsewhere; under `--strict` a warning counts as an error.
    public func append(_ diagnostic: Diagnostic) {
        var diagnostic = diagnostic
        if strict, diagnostic.severity == .warning { diagnostic.severity = .error }
        found.withLock { $0.append(diagnostic) }
    }

    public var hasErrors: Bool { found.withLock { $0.contains { $0.severity == .error } } }

    public var errorCount: Int { found.withLock { $0.count { $0.severity == .error } } }

    /// Diagnostics in a stable order: by file, line, column, then the order they were found.
    public var sorted: [Diagnostic] {
        all.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            switch (la, lb) {
            case let (x?, y?) where x != y: return x < y
            case (nil, _?): return true
            case (_?, nil): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }
}
