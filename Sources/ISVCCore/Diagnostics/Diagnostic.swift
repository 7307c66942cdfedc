/// A position in a source file: 1-based line and column (columns count Unicode scalars, as Yams does).
public struct SourceLocation: Sendable, Hashable, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

public enum Severity: String, Sendable, Hashable {
    case error
    case warning
}

/// One problem found in the input. `rule` names the check that produced it (a KServe webhook rule,
/// a YAML rule, a schema rule), so users can grep for it and tests can compare it.
public struct Diagnostic: Sendable, Hashable {
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    public var rule: String

    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, rule: String) {
        self.severity = severity
        self.location = location
        self.message = message
        self.rule = rule
    }

    /// `path:line:column: error: message [rule]`, the format compilers and editors understand.
    public var formatted: String {
        let prefix = location.map { "\($0.file):\($0.line):\($0.column): " } ?? ""
        return "\(prefix)\(severity.rawValue): \(message) [\(rule)]"
    }

    /// A GitHub Actions workflow command that annotates the line in a pull request.
    public var githubAnnotation: String {
        var props: [String] = []
        if let location {
            props.append("file=\(escapeProperty(location.file))")
            props.append("line=\(location.line)")
            props.append("col=\(location.column)")
        }
        props.append("title=\(escapeProperty("isvc " + rule))")
        return "::\(severity.rawValue) \(props.joined(separator: ","))::\(escapeData(message))"
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
