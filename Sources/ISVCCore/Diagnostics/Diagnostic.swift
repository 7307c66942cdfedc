/// A position in a source file: 1-based line and column (columns count Unicode scalars, as Yams does).
/// Line 0 stands for the file as a whole, for problems with the file rather than a place in it.
public struct SourceLocation: Sendable, Hashable, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The file as a whole (it is missing, a directory, not text).
    public static func wholeFile(_ file: String) -> SourceLocation { SourceLocation(file: file, line: 0, column: 0) }

    public var isWholeFile: Bool { line == 0 }

    /// `path:line:column: `, or `path: ` for the whole file.
    var prefix: String { isWholeFile ? "\(file): " : "\(file):\(line):\(column): " }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

public enum Severity: String, Sendable, Hashable {
    case error
    case warning
}

/// More about a diagnostic, printed under it as compilers do: a candidate that was passed over,
/// the place something was first defined.
public struct Note: Sendable, Hashable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public var formatted: String { "\(location?.prefix ?? "")note: \(message)" }
}

/// One problem found in the input. `rule` is the ID of the check that produced it (a KServe webhook
/// rule, a YAML rule, a schema rule), declared in `RuleCatalog`, so users can grep for it and tests can
/// compare it. It is an `Error` too, for the input errors that stop a command before any YAML is read.
public struct Diagnostic: Sendable, Hashable, Error {
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    public var rule: String
    public var notes: [Note]

    /// A finding of `rule`, as severe as the catalog declares it.
    public init(_ rule: some RuleFamily, _ message: String, at location: SourceLocation?, notes: [Note] = []) {
        self.severity = rule.definition.severity
        self.location = location
        self.message = message
        self.rule = rule.id
        self.notes = notes
    }

    /// `path:line:column: error: message [rule]`, the format compilers and editors understand, then a
    /// line for each note.
    public var formatted: String {
        let first = "\(location?.prefix ?? "")\(severity.rawValue): \(message) [\(rule)]"
        return notes.isEmpty ? first : ([first] + notes.map(\.formatted)).joined(separator: "\n")
    }

    /// A GitHub Actions workflow command that annotates the line in a pull request.
    public var githubAnnotation: String {
        var props: [String] = []
        if let location {
            props.append("file=\(escapeProperty(location.file))")
            if !location.isWholeFile {
                props.append("line=\(location.line)")
                props.append("col=\(location.column)")
            }
        }
        props.append("title=\(escapeProperty("isvc " + rule))")
        let text = ([message] + notes.map(\.formatted)).joined(separator: "\n")
        return "::\(severity.rawValue) \(props.joined(separator: ","))::\(escapeData(text))"
    }
}

private func escapeData(_ s: String) -> String {
    s.replacingOccurrences(of: "%", with: "%25")
        .replacingOccurrences(of: "\r", with: "%0D")
        .replacingOccurrences(of: "\n", with: "%0A")
}

private func escapeProperty(_ s: String) -> String {
    escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
}
