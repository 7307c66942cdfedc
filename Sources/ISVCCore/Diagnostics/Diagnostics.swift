/// The one diagnostics collector every stage writes to. Stages collect every problem they can
/// find before the pipeline decides whether to stop.
public final class Diagnostics: @unchecked Sendable {
    public private(set) var all: [Diagnostic] = []
    /// Whether warnings count as errors (`--strict`).
    public let strict: Bool

    public init(strict: Bool = false) {
        self.strict = strict
    }

    public func error(_ message: String, at location: SourceLocation?, rule: String) {
        all.append(Diagnostic(.error, message, at: location, rule: rule))
    }

    public func warning(_ message: String, at location: SourceLocation?, rule: String) {
        all.append(Diagnostic(strict ? .error : .warning, message, at: location, rule: rule))
    }

    public func append(_ diagnostic: Diagnostic) {
        all.append(diagnostic)
    }

    public var hasErrors: Bool { all.contains { $0.severity == .error } }

    public var errorCount: Int { all.filter { $0.severity == .error }.count }

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
