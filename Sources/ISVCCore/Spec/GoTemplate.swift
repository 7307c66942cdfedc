/// The part of Go's `text/template` that Knative's `domain-template` and `tag-template` use: text,
/// and actions that print a field (`{{.Name}}`), a map entry (`{{.Labels.app}}`,
/// `{{index .Annotations "key"}}`), with `{{-`/`-}}` trimming. A missing map entry prints Go's
/// `<no value>`. Anything else (pipelines, functions but `index`, conditionals) is refused, so a
/// template isvc cannot evaluate exactly is reported instead of applied wrongly.
public struct GoTemplate: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case text(String)
        case field(String)
        case entry(map: String, key: String)
    }

    let pieces: [Piece]
    public let source: String

    public struct Unsupported: Error, Sendable, Equatable {
        public var reason: String
    }

    public init(_ source: String) throws(Unsupported) {
        self.source = source
        var pieces: [Piece] = []
        var rest = Substring(source)
        var text = ""
        while let open = rest.range(of: "{{") {
            text += rest[..<open.lowerBound]
            var inner = rest[open.upperBound...]
            guard let close = inner.range(of: "}}") else { throw Unsupported(reason: "unclosed action") }
            var action = inner[..<close.lowerBound]
            inner = inner[close.upperBound...]
            if action.hasPrefix("- ") || action == "-" {
                action = action.dropFirst()
                while text.last?.isWhitespace == true { text.removeLast() }
            }
            var trimAfter = false
            if action.hasSuffix(" -") {
                action = action.dropLast()
                trimAfter = true
            }
            if !text.isEmpty { pieces.append(.text(text)) }
            text = ""
            pieces.append(try Self.parse(action.trimmingCharacters(in: .whitespaces)))
            rest = trimAfter ? inner.drop { $0.isWhitespace } : inner
        }
        text += rest
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
    }

    static func parse(_ action: String) throws(Unsupported) -> Piece {
        let words = action.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words.count == 3, words[0] == "index", words[1].hasPrefix("."), words[2].count >= 2, words[2].first == "\"",
            words[2].last == "\""
        {
            return .entry(map: String(words[1].dropFirst()), key: String(words[2].dropFirst().dropLast()))
        }
        guard words.count == 1, action.hasPrefix("."), action.count > 1 else {
            throw Unsupported(reason: "the action {{\(action)}} is more than a field or an index")
        }
        let path = action.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard path.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
            throw Unsupported(reason: "the action {{\(action)}} is not a field")
        }
        switch path.count {
        case 1: return .field(path[0])
        case 2: return .entry(map: path[0], key: path[1])
        default: throw Unsupported(reason: "the action {{\(action)}} goes deeper than a map entry")
        }
    }

    /// The fields the template names (to check them against what its data has).
    var names: Set<String> {
        Set(
            pieces.compactMap {
                switch $0 {
                case .text: nil
                case .field(let f): f
                case .entry(let map, _): map
                }
            })
    }

    /// The template applied to `fields` and `maps`; nil when it names something they do not have
    /// (Go fails executing it: "can't evaluate field").
    public func execute(fields: [String: String], maps: [String: [String: String]] = [:]) -> String? {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let t): out += t
            case .field(let f):
                guard let v = fields[f] else { return nil }
                out += v
            case .entry(let map, let key):
                guard let m = maps[map] else { return nil }
                out += m[key] ?? "<no value>"
            }
        }
        return out
    }
}
